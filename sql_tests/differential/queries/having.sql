-- HAVING: on aggregates that are and are not selected, with WHERE, with NULL groups, on a query
-- without GROUP BY, and the errors for ungrouped columns.

SELECT city, count(*) FROM people GROUP BY city HAVING count(*) > 20;
SELECT city, count(*) FROM people GROUP BY city HAVING count(*) > 20 AND city IS NOT NULL;
SELECT city FROM people GROUP BY city HAVING avg(age) > 50;
SELECT city, avg(age) FROM people WHERE active GROUP BY city HAVING min(age) < 10;
SELECT status, sum(amount) FROM orders GROUP BY status HAVING sum(amount) > 100000;
SELECT status, count(*) FROM orders GROUP BY status HAVING status LIKE 'p%';
SELECT person_id, count(*) FROM orders GROUP BY person_id HAVING count(*) >= 4;
SELECT person_id FROM orders GROUP BY person_id HAVING bool_and(express) ORDER BY person_id NULLS LAST;
SELECT category, count(*) FROM events GROUP BY category HAVING count(DISTINCT code) > 3;
SELECT code, sum(n) FROM events GROUP BY code HAVING sum(n) IS NULL OR sum(n) < 0;
SELECT a, count(*) FROM tiny GROUP BY a HAVING count(*) > 1;
SELECT a FROM tiny GROUP BY a HAVING a IS NULL;
SELECT count(*) FROM people HAVING count(*) > 0;
SELECT count(*) FROM people HAVING count(*) > 1000;
SELECT 'group' AS g FROM tiny HAVING max(a) = 3;
SELECT city FROM people GROUP BY city HAVING age > 3;
SELECT city, count(*) AS n FROM people GROUP BY city HAVING count(*) = (SELECT max(c) FROM (SELECT count(*) AS c FROM people GROUP BY city) AS counts);
SELECT status, max(amount) FROM orders GROUP BY status HAVING max(amount) > (SELECT avg(amount) FROM orders) ORDER BY status NULLS FIRST;
