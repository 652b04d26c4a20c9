-- Comparison operators on every type, mixed integer widths, integers against numerics and doubles,
-- text in C collation, dates against timestamps, and NULL on either side.

SELECT 1 = 1, 1 <> 2, 1 != 2, 1 < 2, 2 <= 2, 3 > 2, 3 >= 4;
SELECT 1::SMALLINT = 1::BIGINT, 2::SMALLINT < 3, 3000000000 > 2147483647, 1 = 1.0, 1 < 1.5, 2 = 2.0::DOUBLE PRECISION;
SELECT 0.1 + 0.2 = 0.3, 0.1::DOUBLE PRECISION + 0.2::DOUBLE PRECISION = 0.3::DOUBLE PRECISION;
SELECT 'a' < 'b', 'B' < 'a', 'abc' < 'abd', 'abc' < 'abcd', '' < 'a', 'Z' < 'a', 'é' > 'z';
SELECT 'abc' = 'abc ', 'abc'::VARCHAR(5) = 'abc', 'ABC' = 'abc';
SELECT DATE '2024-02-29' < DATE '2024-03-01', DATE '2024-01-01' = TIMESTAMP '2024-01-01 00:00:00', DATE '2024-01-01' < TIMESTAMP '2024-01-01 00:00:01';
SELECT TIMESTAMP '2024-01-01 10:00:00' > TIMESTAMP '2024-01-01 09:59:59.999999';
SELECT TRUE > FALSE, FALSE < TRUE, TRUE = TRUE;
SELECT NULL = NULL, NULL <> 1, 1 < NULL, NULL::TEXT = '';
SELECT id, age, age = 30, age < 30, age >= 30 FROM people ORDER BY id;
SELECT id, score, score > 0, score = 0, score <= -100.5 FROM people ORDER BY id;
SELECT id, balance, balance > 0, balance = 0, balance < -5000.25 FROM people ORDER BY id;
SELECT id, name, name < 'M', name >= 'a', name = 'bob' FROM people ORDER BY id;
SELECT id, born, born < DATE '1970-01-01', born = DATE '1980-05-05' FROM people ORDER BY id;
SELECT id, joined, joined >= TIMESTAMP '2020-01-01', joined < DATE '2018-06-01' FROM people ORDER BY id;
SELECT id, amount, amount > price, amount::DOUBLE PRECISION = price, quantity = 5 FROM orders ORDER BY id;
SELECT id, ordered_on, shipped_at, shipped_at > ordered_on, shipped_at::DATE = ordered_on FROM orders ORDER BY id;
SELECT code, n, code < n, code = n, n > big, x > code, amount > x FROM events;
SELECT category, label, category < label, category = lower(label), label > 'b' FROM events;
SELECT a, b, a > 1, b > 'a', a >= ALL (SELECT 1), b < ANY (VALUES ('b'), ('c')) FROM tiny;
SELECT id FROM people WHERE age = 25 OR age = 26 ORDER BY id;
SELECT id FROM people WHERE visits > 5000000000 ORDER BY id;
SELECT id FROM people WHERE score >= 250.5 ORDER BY id;
SELECT id FROM orders WHERE amount BETWEEN 1000 AND 2000.50 ORDER BY id;
SELECT id FROM people WHERE name IN ('Ann', 'bob', 'Zoë') ORDER BY id;
