-- CASE (searched and simple), COALESCE, NULLIF, GREATEST/LEAST: result types, NULL branches,
-- laziness of branches that would fail.

SELECT CASE WHEN 1 > 0 THEN 'yes' ELSE 'no' END, CASE WHEN 1 < 0 THEN 'yes' END, CASE WHEN NULL THEN 1 ELSE 2 END;
SELECT CASE 2 WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END, CASE NULL::INTEGER WHEN NULL THEN 'null' ELSE 'not equal' END;
SELECT id, CASE WHEN age < 18 THEN 'minor' WHEN age < 65 THEN 'adult' WHEN age >= 65 THEN 'senior' ELSE 'unknown' END AS bracket FROM people ORDER BY id;
SELECT id, CASE active WHEN TRUE THEN 'on' WHEN FALSE THEN 'off' END AS state FROM people ORDER BY id;
SELECT id, CASE status WHEN 'paid' THEN 1 WHEN 'shipped' THEN 2 WHEN 'new' THEN 0 ELSE -1 END FROM orders ORDER BY id;
SELECT id, CASE WHEN quantity > 10 THEN amount ELSE price END FROM orders ORDER BY id;
SELECT id, CASE WHEN age > 50 THEN age ELSE visits END, CASE WHEN active THEN 1 ELSE 2.5 END FROM people ORDER BY id;
SELECT CASE WHEN FALSE THEN 1 / 0 ELSE 1 END, CASE WHEN TRUE THEN 1 ELSE 1 / 0 END;
SELECT id, CASE WHEN age = 0 THEN NULL ELSE 100 / age END FROM people ORDER BY id;
SELECT code, CASE WHEN code > 0 THEN 'pos' WHEN code < 0 THEN 'neg' WHEN code = 0 THEN 'zero' END FROM events;
SELECT COALESCE(NULL, NULL, 3), COALESCE(1, 2), COALESCE(NULL::TEXT, ''), COALESCE(NULL::INTEGER, NULL);
SELECT id, COALESCE(name, city, 'nobody'), COALESCE(age, -1), COALESCE(score, 0), COALESCE(balance, 0) FROM people ORDER BY id;
SELECT id, COALESCE(age, visits), COALESCE(age, 1.5), COALESCE(born, DATE '2000-01-01') FROM people ORDER BY id;
SELECT COALESCE(1, 1 / 0), COALESCE(NULL, 2, 1 / 0);
SELECT NULLIF(1, 1), NULLIF(1, 2), NULLIF('a', 'a'), NULLIF(NULL::INTEGER, 1), NULLIF(1, NULL);
SELECT orders.id, NULLIF(age, 30), NULLIF(city, ''), NULLIF(status, 'new') FROM people JOIN orders ON orders.person_id = people.id ORDER BY orders.id;
SELECT category, NULLIF(category, ''), COALESCE(NULLIF(category, ''), '(blank)') FROM events;
SELECT id, GREATEST(amount, price), LEAST(quantity, 10), GREATEST(ordered_on, DATE '2024-01-01') FROM orders ORDER BY id;
SELECT id, CASE WHEN name LIKE 'A%' THEN upper(name) WHEN name LIKE 'B%' THEN lower(name) ELSE name END FROM people ORDER BY id;
SELECT CASE WHEN x > 0 THEN 'up' ELSE 'down' END AS dir, count(*) FROM events GROUP BY 1 ORDER BY 1;
SELECT id, CASE WHEN active IS NULL THEN 'unknown' WHEN active THEN 'yes' ELSE 'no' END, COALESCE(active, FALSE) FROM people ORDER BY id;
SELECT CASE 'x' WHEN 'y' THEN 1 END IS NULL;
