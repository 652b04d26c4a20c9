-- NULL-heavy inputs: columns where a third of the values or more are NULL, through arithmetic,
-- comparisons, functions, aggregates, grouping, ordering, joins and DISTINCT; NULL versus ''.

SELECT category, code, n, big, x, amount, flag, label, day, at FROM events;
SELECT count(*) - count(category), count(*) - count(code), count(*) - count(flag), count(*) - count(at) FROM events;
SELECT code + n, code * 2, n - big, x * code, amount + code, -code FROM events;
SELECT code > 0, n = 0, x < 0, flag = TRUE, label = '', category <> 'a' FROM events;
SELECT coalesce(category, '?'), coalesce(code, n, 0), coalesce(label, category), nullif(code, 0) FROM events;
SELECT upper(category), length(label), category || label, concat(category, label), substr(label, 2) FROM events;
SELECT day + code, at + INTERVAL '1 hour', EXTRACT(DAY FROM day), date_trunc('hour', at) FROM events;
SELECT category, code, count(*), count(code), sum(n), min(x), max(label) FROM events GROUP BY category, code;
SELECT flag, count(*), count(flag), bool_and(code > 0), bool_or(n > 0) FROM events GROUP BY flag;
SELECT category IS NULL AS missing, count(*) FROM events GROUP BY 1;
SELECT category, code FROM events ORDER BY category NULLS FIRST, code NULLS LAST, 1, 2;
SELECT DISTINCT category, flag FROM events;
SELECT label, label IS NULL, label = '', coalesce(label, 'NULL'), length(coalesce(label, '')) FROM events;
SELECT category FROM events WHERE category = '';
SELECT category FROM events WHERE category IS NULL;
SELECT category FROM events WHERE category IS NOT NULL AND category <> '';
SELECT e.category, t.b FROM events e LEFT JOIN tiny t ON t.b = e.category WHERE e.category IS NULL OR t.b IS NULL;
SELECT e.code, t.a FROM events e FULL JOIN tiny t ON t.a = e.code WHERE e.code IS NULL;
SELECT x FROM events WHERE x IS NOT NULL ORDER BY x LIMIT 5;
SELECT sum(code) FILTER (WHERE flag), sum(code) FILTER (WHERE NOT flag), sum(code) FILTER (WHERE flag IS NULL) FROM events;
SELECT string_agg(coalesce(category, 'NULL'), '' ORDER BY coalesce(category, 'NULL')) FROM events WHERE code = 3;
SELECT avg(n), avg(coalesce(n, 0)), sum(n) / count(*), sum(n) / count(n) FROM events;
SELECT p.name, p.city, p.age, p.active, p.score, p.balance, p.born, p.joined, p.visits FROM people p WHERE p.name IS NULL OR p.city IS NULL OR p.age IS NULL;
SELECT count(*) FROM people WHERE name IS NULL AND city IS NULL;
SELECT a, b, a IS NULL AND b IS NULL, coalesce(a::TEXT, b, 'both null') FROM tiny;
SELECT greatest(code, n), least(x, amount), greatest(day, at::DATE) FROM events;
SELECT code, n, code = n, code IS DISTINCT FROM n, code IS NOT DISTINCT FROM n FROM events;
