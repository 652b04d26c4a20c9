-- Subqueries: in FROM, scalar (correlated and not, empty giving NULL, more than one row giving an
-- error), IN / NOT IN with NULLs on either side, EXISTS / NOT EXISTS correlated, ANY / ALL,
-- LATERAL, and subqueries in the select list, WHERE and HAVING.

SELECT s.id, s.doubled FROM (SELECT id, age * 2 AS doubled FROM people WHERE age > 90) AS s;
SELECT city, n FROM (SELECT city, count(*) AS n FROM people GROUP BY city) AS counts WHERE n > 20;
SELECT max(n) FROM (SELECT person_id, count(*) AS n FROM orders GROUP BY person_id) AS per_person;
SELECT * FROM (SELECT a, b FROM tiny WHERE a IS NOT NULL) AS t WHERE b IS NOT NULL;
SELECT * FROM (SELECT * FROM (SELECT a FROM tiny) AS inner_t) AS outer_t;
SELECT * FROM (SELECT 1 AS x) AS one;
SELECT (SELECT max(age) FROM people), (SELECT min(id) FROM orders), (SELECT count(*) FROM nothing);
SELECT (SELECT id FROM people WHERE id = 5), (SELECT id FROM people WHERE id = -5);
SELECT (SELECT a FROM tiny WHERE a = 3);
SELECT (SELECT id FROM people);
SELECT p.id, (SELECT count(*) FROM orders o WHERE o.person_id = p.id) AS orders FROM people p;
SELECT p.id, (SELECT sum(o.amount) FROM orders o WHERE o.person_id = p.id) FROM people p WHERE p.id < 50;
SELECT p.id, (SELECT max(o.ordered_on) FROM orders o WHERE o.person_id = p.id AND o.express) FROM people p;
SELECT t.a, (SELECT string_agg(e.label, ',' ORDER BY e.label) FROM events e WHERE e.code = t.a) FROM tiny t;
SELECT o.id FROM orders o WHERE o.amount > (SELECT avg(amount) FROM orders) AND o.quantity > 15;
SELECT o.id FROM orders o WHERE o.amount > (SELECT avg(o2.amount) FROM orders o2 WHERE o2.status = o.status);
SELECT id FROM people WHERE id IN (SELECT person_id FROM orders WHERE express);
SELECT id FROM people WHERE id NOT IN (SELECT person_id FROM orders);
SELECT id FROM people WHERE id NOT IN (SELECT person_id FROM orders WHERE person_id IS NOT NULL);
SELECT id FROM orders WHERE person_id IN (SELECT id FROM people WHERE age > 80);
SELECT id FROM orders WHERE person_id NOT IN (SELECT id FROM people WHERE age > 20);
SELECT a, b FROM tiny WHERE a IN (SELECT code FROM events);
SELECT a, b FROM tiny WHERE a NOT IN (SELECT 1 UNION ALL SELECT NULL);
SELECT a, b FROM tiny WHERE a NOT IN (SELECT id FROM nothing);
SELECT a, a IN (SELECT a FROM tiny WHERE b = 'b'), a NOT IN (SELECT a FROM tiny) FROM tiny;
SELECT p.id FROM people p WHERE EXISTS (SELECT 1 FROM orders o WHERE o.person_id = p.id AND o.amount > 4500);
SELECT p.id FROM people p WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.person_id = p.id);
SELECT o.id FROM orders o WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = o.person_id);
SELECT t.a FROM tiny t WHERE EXISTS (SELECT 1 FROM nothing);
SELECT t.a FROM tiny t WHERE NOT EXISTS (SELECT 1 FROM nothing);
SELECT t.a, t.b FROM tiny t WHERE EXISTS (SELECT 1 FROM tiny u WHERE u.a = t.a AND u.b <> t.b);
SELECT p.id FROM people p WHERE EXISTS (SELECT 1 FROM events e WHERE e.n = p.id) AND p.age IS NOT NULL;
SELECT id FROM people WHERE age > ALL (SELECT code FROM events WHERE code IS NOT NULL) AND age < 7;
SELECT id FROM people WHERE age = ANY (SELECT quantity FROM orders WHERE quantity > 18);
SELECT id FROM people WHERE age < ALL (SELECT id FROM nothing) AND id < 4;
SELECT a FROM tiny WHERE a > ANY (SELECT a FROM tiny);
SELECT a FROM tiny WHERE a >= ALL (SELECT a FROM tiny WHERE a IS NOT NULL);
SELECT status, count(*) FROM orders GROUP BY status HAVING count(*) > (SELECT count(*) FROM orders) / 6;
SELECT id, age - (SELECT min(age) FROM people) FROM people WHERE age IS NOT NULL;
SELECT * FROM tiny WHERE a = (SELECT max(a) FROM tiny);
SELECT (SELECT (SELECT max(a) FROM tiny) + 1);
