-- WITH: one and several CTEs, a CTE used twice, CTEs that refer to earlier ones, column aliases,
-- MATERIALIZED, recursive CTEs, and CTEs over empty tables.

WITH adults AS (SELECT id, age FROM people WHERE age >= 18) SELECT count(*), min(age) FROM adults;
WITH big_orders AS (SELECT * FROM orders WHERE amount > 4000) SELECT id, person_id FROM big_orders;
WITH c AS (SELECT city, count(*) AS n FROM people GROUP BY city) SELECT city, n FROM c WHERE n = (SELECT max(n) FROM c);
WITH a AS (SELECT id FROM people WHERE id < 10), b AS (SELECT id FROM a WHERE id % 2 = 0) SELECT * FROM b;
WITH a (x, y) AS (SELECT id, age FROM people WHERE id < 5) SELECT x, y FROM a;
WITH t AS (SELECT a FROM tiny) SELECT t1.a, t2.a FROM t t1 JOIN t t2 ON t1.a = t2.a;
WITH per_person AS (SELECT person_id, sum(amount) AS total FROM orders GROUP BY person_id) SELECT p.id, p.name, pp.total FROM people p JOIN per_person pp ON pp.person_id = p.id WHERE pp.total > 10000;
WITH e AS MATERIALIZED (SELECT category, n FROM events) SELECT category, count(*) FROM e GROUP BY category;
WITH none AS (SELECT * FROM nothing) SELECT count(*), max(v) FROM none;
WITH none AS (SELECT * FROM nothing) SELECT p.id FROM people p WHERE p.id IN (SELECT id FROM none);
WITH x AS (SELECT 1 AS v) SELECT v FROM x UNION ALL SELECT v + 1 FROM x;
WITH x AS (SELECT 1) SELECT * FROM y;
