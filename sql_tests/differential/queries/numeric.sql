-- NUMERIC: literals and their scale, NUMERIC(12,2) columns, + - * / % with PostgreSQL's result
-- scales, rounding (half away from zero), division by zero, mixing with integers and doubles,
-- and numeric aggregates.

SELECT 1.5, 1.50, 0.1 + 0.2, 1.5 + 2, 1.25 * 4, 1.10 * 1.10, 10.0 / 4, 1 / 3.0, 2.0 / 3;
SELECT 10 / 4.0, 10.00 / 3, 1.000 / 7, 100.0 / 1.0, 12345678901234567890.5 / 3;
SELECT 7.5 % 2, -7.5 % 2, 7.5 % -2, 10.00 % 3, mod(7.5, 2);
SELECT 1.5 / 0;
SELECT 1.5 % 0;
SELECT round(2.5), round(-2.5), round(3.5), round(1.2345, 2), round(1.235, 2), round(-1.235, 2), round(1234.5, -2), round(15, -1);
SELECT trunc(2.99), trunc(-2.99), trunc(1.2399, 2), trunc(1234.5, -2), ceil(1.01), ceil(-1.99), floor(1.99), floor(-1.01);
SELECT abs(-1.50), -(-1.50), sign(-1.5), sqrt(2.0), sqrt(16.00), power(2.0, 10), power(1.5, 2), exp(1.0), ln(10.0);
SELECT 0.00, -0.00, 0.0 * -1, 1e5::NUMERIC, 1.5e-3, 123.4500, 00012.340;
SELECT 99999999999.99::NUMERIC(13,2) + 0.01, 123456789012345678901234567890.123 * 2;
SELECT 1.5::NUMERIC = 1.50, 1.5 < 1.51, 2 = 2.00, 1.5 = 1.5::DOUBLE PRECISION;
SELECT id, balance, balance + 1, balance - 0.005, balance * 2, balance * 1.5, balance / 3, balance / 0.7 FROM people ORDER BY id;
SELECT id, balance, round(balance), round(balance, 1), trunc(balance, -2), abs(balance), -balance FROM people ORDER BY id;
SELECT id, balance, balance % 7, balance::INTEGER % 7, ceil(balance), floor(balance) FROM people ORDER BY id;
SELECT id, amount, quantity, amount * quantity, amount / NULLIF(quantity, 0), amount / quantity * quantity FROM orders ORDER BY id;
SELECT id, amount, price, amount + price, amount * price, amount - price::NUMERIC FROM orders ORDER BY id;
SELECT orders.id, amount + age, amount * visits, amount / NULLIF(age, 0) FROM orders JOIN people ON people.id = orders.person_id ORDER BY orders.id;
SELECT amount, amount * amount, amount / 100, round(amount / 3, 4) FROM events;
SELECT sum(balance), avg(balance), min(balance), max(balance), count(balance) FROM people;
SELECT sum(amount), avg(amount), sum(amount * quantity), avg(quantity), sum(quantity) FROM orders;
SELECT status, sum(amount), avg(amount), round(avg(amount), 2), max(amount) - min(amount) FROM orders GROUP BY status ORDER BY status NULLS FIRST;
SELECT stddev_samp(amount), stddev_pop(amount), var_samp(amount), var_pop(amount) FROM orders;
SELECT sum(visits), avg(visits), avg(age), sum(age), avg(id) FROM people;
SELECT sum(big), avg(big), sum(n), avg(n), avg(code), stddev_samp(n), var_pop(code) FROM events;
SELECT avg(x::NUMERIC), sum(x::NUMERIC) FROM events;
SELECT category, sum(amount), avg(amount), count(amount) FROM events GROUP BY category ORDER BY category NULLS FIRST;
SELECT (SELECT sum(amount) FROM orders) / (SELECT count(*) FROM orders);
SELECT 1::NUMERIC / 3 * 3, 2::NUMERIC / 3, 1::NUMERIC(20,10) / 3;
SELECT 123.45::NUMERIC(4,2);
SELECT 12.345::NUMERIC(10,2) IN (12.35, 12.34);
