-- DISTINCT on one and several columns, with NULLs (which are not distinct from each other),
-- DISTINCT ON, and DISTINCT inside expressions.

SELECT DISTINCT city FROM people;
SELECT DISTINCT age FROM people;
SELECT DISTINCT active FROM people;
SELECT DISTINCT city, active FROM people;
SELECT DISTINCT status, express FROM orders;
SELECT DISTINCT category FROM events;
SELECT DISTINCT category, flag FROM events;
SELECT DISTINCT a, b FROM tiny;
SELECT DISTINCT a FROM tiny ORDER BY a;
SELECT DISTINCT upper(category) FROM events;
SELECT DISTINCT age / 10 AS decade FROM people ORDER BY decade NULLS FIRST;
SELECT DISTINCT code % 2 FROM events;
SELECT DISTINCT x FROM events ORDER BY 1;
SELECT DISTINCT amount FROM events ORDER BY amount DESC NULLS LAST LIMIT 5;
SELECT DISTINCT day FROM events;
SELECT DISTINCT date_trunc('day', at) FROM events;
SELECT count(DISTINCT city), count(DISTINCT age), count(DISTINCT active) FROM people;
SELECT DISTINCT * FROM tiny;
SELECT DISTINCT category, code, n, big, x, amount, flag, label, day, at FROM events;
SELECT count(*) FROM (SELECT DISTINCT * FROM events) AS d;
