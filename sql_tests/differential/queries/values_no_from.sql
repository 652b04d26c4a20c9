-- SELECT without FROM and VALUES: literals of every type, column names PostgreSQL derives
-- (?column?, function names, casts), VALUES as a table with aliases, type unification in VALUES.

SELECT 1;
SELECT 1 AS one, 'two' AS two, 3.0 AS three, TRUE AS four, NULL AS five;
SELECT 42, -42, 2147483648, -9223372036854775808, 1.0, .5, 5., 1e3, 1.5e-3;
SELECT TRUE, FALSE, NULL, NULL::INTEGER, NULL::TEXT;
SELECT DATE '2024-01-02', TIMESTAMP '2024-01-02 03:04:05', INTERVAL '1 day', TIME '12:34:56';
SELECT 1 + 1, 'a' || 'b', upper('x'), count(*), CAST(1 AS TEXT), 1::TEXT, CASE WHEN TRUE THEN 1 END, COALESCE(1, 2), NULLIF(1, 2), (1);
SELECT 1 AS "Mixed Case", 2 AS "with space", 3 AS lower_case, 4 AS UPPER_CASE;
SELECT 1 WHERE FALSE;
SELECT 1 WHERE TRUE;
SELECT count(*) WHERE FALSE;
SELECT 1 ORDER BY 1 LIMIT 1;
SELECT * FROM (VALUES (1, 'a'), (2, 'b'), (NULL, NULL)) AS v;
SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v (num, letter);
SELECT num + 1, upper(letter) FROM (VALUES (1, 'a'), (2, 'b')) AS v (num, letter) WHERE num > 1;
VALUES (1), (2), (3);
VALUES (1, 'x'), (2, NULL) ORDER BY 1 DESC;
VALUES (1), (2.5), (NULL);
VALUES (1::SMALLINT), (100000);
VALUES ('a'), ('bb'::VARCHAR(2));
SELECT column1, column2 FROM (VALUES (1, TRUE), (2, FALSE)) AS v;
SELECT sum(column1), count(*) FROM (VALUES (1), (2), (NULL)) AS v;
SELECT * FROM (VALUES (1), (2)) AS a (x) CROSS JOIN (VALUES ('p'), ('q')) AS b (y);
VALUES (1, 2), (3);
VALUES (1), ('a');
SELECT -0.0::DOUBLE PRECISION, 0.0::DOUBLE PRECISION, 1e-7::DOUBLE PRECISION, 1e16::DOUBLE PRECISION, 123456789012345678::DOUBLE PRECISION, 0.1::REAL;
SELECT 1.0::DOUBLE PRECISION / 3, 2::DOUBLE PRECISION / 3, 100::DOUBLE PRECISION / 7, 1e-10::DOUBLE PRECISION * 3;
