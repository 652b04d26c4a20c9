-- Empty inputs: the empty table `nothing`, filters that keep no row, and what aggregates, joins,
-- GROUP BY, DISTINCT, ORDER BY, LIMIT and set operations make of them.

SELECT * FROM nothing;
SELECT id, v, s, x, d, b FROM nothing WHERE v > 0;
SELECT count(*), count(v), sum(v), avg(v), min(v), max(v) FROM nothing;
SELECT min(s), max(d), bool_and(b), bool_or(b), string_agg(s, ',' ORDER BY s), avg(x) FROM nothing;
SELECT stddev_samp(v), var_pop(v), count(DISTINCT s) FROM nothing;
SELECT v, count(*) FROM nothing GROUP BY v;
SELECT count(*) FROM nothing GROUP BY v;
SELECT count(*) FROM nothing HAVING count(*) = 0;
SELECT DISTINCT s FROM nothing;
SELECT * FROM nothing ORDER BY id LIMIT 5;
SELECT id FROM nothing ORDER BY id OFFSET 3;
SELECT n.id, p.id FROM nothing n JOIN people p ON p.id = n.id;
SELECT n.id, t.a FROM nothing n LEFT JOIN tiny t ON t.a = n.v;
SELECT n.id, t.a FROM nothing n RIGHT JOIN tiny t ON t.a = n.v;
SELECT n.id, t.a FROM nothing n FULL JOIN tiny t ON t.a = n.v;
SELECT n.id, t.a FROM nothing n CROSS JOIN tiny t;
SELECT * FROM (SELECT * FROM nothing) AS sub;
SELECT (SELECT v FROM nothing), (SELECT count(*) FROM nothing), (SELECT max(v) FROM nothing) IS NULL;
SELECT id FROM people WHERE id IN (SELECT v FROM nothing);
SELECT id FROM people WHERE id NOT IN (SELECT v FROM nothing) AND id < 4;
SELECT id FROM people WHERE EXISTS (SELECT * FROM nothing);
SELECT s FROM nothing UNION SELECT s FROM nothing;
SELECT s FROM nothing EXCEPT SELECT 'x';
SELECT count(*), sum(age) FROM people WHERE id < 0;
SELECT city, count(*) FROM people WHERE id < 0 GROUP BY city;
SELECT p.id, o.id FROM people p JOIN orders o ON o.person_id = p.id WHERE p.id < 0;
SELECT p.id, o.id FROM people p LEFT JOIN orders o ON o.person_id = p.id AND FALSE WHERE p.id < 3;
SELECT a FROM tiny WHERE a > 100 ORDER BY a LIMIT 1;
SELECT max(a) FROM tiny WHERE a > 100;
SELECT string_agg(b, ',' ORDER BY b) IS NULL FROM tiny WHERE FALSE;
SELECT count(*) FROM (SELECT 1 WHERE FALSE) AS e;
SELECT coalesce(sum(v), 0), coalesce(max(s), '(none)') FROM nothing;
