-- Aggregates: count(*) / count(x) / count(DISTINCT x), sum, avg, min, max, the variance family,
-- bool_and / bool_or, string_agg ordered for determinism, FILTER (WHERE ...), over NULL-only
-- and empty inputs, and result types. Variances of doubles are rounded: their last bits depend
-- on the order PostgreSQL adds rows in.

SELECT count(*), count(age), count(DISTINCT age), count(name), count(DISTINCT name), count(DISTINCT city) FROM people;
SELECT sum(age), avg(age), min(age), max(age) FROM people;
SELECT sum(id), avg(id), sum(visits), avg(visits), min(visits), max(visits) FROM people;
SELECT sum(score), avg(score), min(score), max(score) FROM people;
SELECT sum(balance), avg(balance), min(balance), max(balance) FROM people;
SELECT min(name), max(name), min(city), max(city) FROM people;
SELECT min(born), max(born), min(joined), max(joined) FROM people;
SELECT bool_and(active), bool_or(active), every(active) FROM people;
SELECT bool_and(active) FILTER (WHERE age > 90), bool_or(active) FILTER (WHERE age < 5) FROM people;
SELECT stddev_samp(age), stddev_pop(age), var_samp(age), var_pop(age), stddev(age), variance(age) FROM people;
SELECT stddev_samp(visits), var_pop(visits) FROM people;
SELECT round(stddev_samp(score)::NUMERIC, 6), round(stddev_pop(score)::NUMERIC, 6), round(var_samp(score)::NUMERIC, 4), round(var_pop(score)::NUMERIC, 4) FROM people;
SELECT stddev_samp(balance), stddev_pop(balance), var_samp(balance), var_pop(balance) FROM people;
SELECT string_agg(name, ', ' ORDER BY name) FROM people WHERE age < 10;
SELECT string_agg(name, ',' ORDER BY name DESC, id) FROM people WHERE age > 90;
SELECT string_agg(DISTINCT city, '|' ORDER BY city) FROM people;
SELECT string_agg(city, '|' ORDER BY id) FROM people WHERE id <= 20;
SELECT string_agg(b, '' ORDER BY b), string_agg(a::TEXT, '-' ORDER BY a NULLS FIRST) FROM tiny;
SELECT count(*) FILTER (WHERE active), count(*) FILTER (WHERE NOT active), count(*) FILTER (WHERE active IS NULL) FROM people;
SELECT sum(age) FILTER (WHERE city = 'Paris'), avg(age) FILTER (WHERE city = 'Berlin'), max(name) FILTER (WHERE age > 50) FROM people;
SELECT count(DISTINCT age) FILTER (WHERE active), count(age) FILTER (WHERE age > 200) FROM people;
SELECT count(*), count(quantity), sum(quantity), avg(quantity), min(amount), max(amount), sum(price), avg(price) FROM orders;
SELECT count(*), count(category), count(DISTINCT category), count(code), count(n), count(big), count(x), count(amount), count(flag), count(label), count(day), count(at) FROM events;
SELECT sum(code), avg(code), sum(n), sum(big), sum(x), avg(x), min(x), max(x), sum(amount), avg(amount) FROM events;
SELECT bool_and(flag), bool_or(flag), min(label), max(label), min(day), max(at) FROM events;
SELECT string_agg(label, ',' ORDER BY label) FROM events WHERE category = 'a';
SELECT count(*), sum(a), avg(a), min(b), max(b), string_agg(b, ',' ORDER BY b) FROM tiny;
SELECT count(a), count(b), count(*) FROM tiny WHERE a IS NULL;
SELECT sum(a), avg(a), min(a), bool_and(a > 0), string_agg(b, ',') FROM tiny WHERE a IS NULL AND b IS NULL;
SELECT count(*), count(v), sum(v), avg(v), min(s), max(x), bool_or(b), string_agg(s, ',') FROM nothing;
SELECT count(*) + 1, sum(age) / count(age), max(age) - min(age), avg(age) * 2 FROM people;
SELECT count(1), count(NULL), count(''), sum(1), sum(NULL::INTEGER), max(NULL::TEXT) FROM people;
SELECT sum(32767::SMALLINT), sum(2147483647), sum(9223372036854775807) FROM people;
SELECT avg(age)::NUMERIC(10,3), round(avg(score)::NUMERIC, 3), sum(age)::DOUBLE PRECISION / count(age) FROM people;
SELECT max(age) FROM people WHERE FALSE;
SELECT count(*) FROM people WHERE FALSE;
SELECT sum(age) IS NULL, count(age) = 0 FROM people WHERE FALSE;
SELECT max(age) + min(age) FROM people WHERE id < 0;
SELECT sum(age), count(*) FILTER (WHERE age IS NULL) FROM people WHERE city IS NULL;
SELECT sum(age) FROM people GROUP BY city HAVING city = 'Lima';
SELECT count(*) FROM orders o WHERE o.amount > (SELECT avg(amount) FROM orders);
SELECT sum(count(*)) FROM people;
SELECT max(age) FILTER (WHERE count(*) > 1) FROM people;
SELECT sum(name) FROM people;
SELECT avg(active) FROM people;
