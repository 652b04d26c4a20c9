-- LIKE, NOT LIKE, ILIKE with % and _, escapes, multi-byte characters, trailing spaces and NULLs.

SELECT 'hello' LIKE 'h%', 'hello' LIKE '%o', 'hello' LIKE '%ll%', 'hello' LIKE 'h_llo', 'hello' LIKE 'h_lo', 'hello' LIKE 'hello';
SELECT 'hello' NOT LIKE 'h%', '' LIKE '%', '' LIKE '_', 'a' LIKE '', NULL LIKE 'a', 'a' LIKE NULL;
SELECT 'Hello' LIKE 'h%', 'Hello' ILIKE 'h%', 'HÉLLO' ILIKE 'hé%', 'hello' NOT ILIKE 'H%';
SELECT '50%' LIKE '50\%', '50x' LIKE '50\%', 'a_b' LIKE 'a\_b', 'axb' LIKE 'a\_b', '50%' LIKE '50!%' ESCAPE '!', 'a\b' LIKE 'a\\b';
SELECT 'Zoë' LIKE 'Zo_', 'Zoë' LIKE '__ë', 'ÅÄÖ' LIKE '_Ä_', 'é' LIKE '_';
SELECT 'abc' LIKE 'abc ', 'abc ' LIKE 'abc', 'abc ' LIKE 'abc%', 'a%b' LIKE 'a%%b';
SELECT 'hello' ~~ 'h%', 'hello' !~~ 'h%', 'HELLO' ~~* 'h%', 'HELLO' !~~* 'h%';
SELECT id, name FROM people WHERE name LIKE 'A%' ORDER BY id;
SELECT id, name FROM people WHERE name ILIKE 'a%' ORDER BY id;
SELECT id, name FROM people WHERE name LIKE '%n' ORDER BY id;
SELECT id, name FROM people WHERE name NOT LIKE '%a%' ORDER BY id;
SELECT id, name FROM people WHERE name LIKE '_o%' ORDER BY id;
SELECT id, city FROM people WHERE city LIKE '% %' ORDER BY id;
SELECT id, city FROM people WHERE city ILIKE '%O%' ORDER BY id;
SELECT id, note FROM orders WHERE note LIKE '%\%%' ORDER BY id;
SELECT id, note FROM orders WHERE note LIKE '%\_%' ORDER BY id;
SELECT id, note FROM orders WHERE note LIKE 'a_b' ORDER BY id;
SELECT id, note FROM orders WHERE note LIKE '%  %' ORDER BY id;
SELECT label FROM events WHERE label LIKE '%a' ORDER BY 1;
SELECT label FROM events WHERE label LIKE '% ' ORDER BY 1;
SELECT label, label LIKE '50%', label LIKE '50\%', label LIKE 'under!_score' ESCAPE '!' FROM events;
SELECT category, count(*) FROM events WHERE category ILIKE 'a' GROUP BY category ORDER BY category;
SELECT id, name, name LIKE city FROM people ORDER BY id;
SELECT count(*) FILTER (WHERE name LIKE '%e%'), count(*) FILTER (WHERE name NOT LIKE '%e%'), count(*) FROM people;
