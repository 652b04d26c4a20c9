-- String functions over ASCII and multi-byte text, with NULLs and empty strings: lengths,
-- case, trimming, padding, substrings, concatenation, replace, position, split_part and more.

SELECT length('hello'), length(''), length('héllo'), char_length('Zoë'), octet_length('Zoë'), length(NULL::TEXT);
SELECT upper('hello World'), lower('Hello WORLD'), upper('é'), lower('Ä'), initcap('hello wORLD foo-bar');
SELECT 'a' || 'b', 'a' || NULL, NULL || 'b', '' || '', 'x' || 1 || TRUE;
SELECT concat('a', NULL, 'b', 1, 2.5), concat(NULL), concat_ws(',', 'a', NULL, 'b'), concat_ws(NULL, 'a', 'b');
SELECT substr('hello', 2, 3), substr('hello', 0, 3), substr('hello', -1, 3), substr('hello', 3), substr('hello', 10), substr('héllo', 2, 2);
SELECT substring('hello' FROM 2 FOR 3), substring('hello' FROM 4), substring('hello' FOR 2);
SELECT substr('hello', 2, -1);
SELECT left('hello', 2), left('hello', -2), left('hello', 0), right('hello', 2), right('hello', -2), left('héllo', 2);
SELECT trim('  x  '), ltrim('  x  '), rtrim('  x  '), trim(BOTH 'x' FROM 'xxaxx'), trim(LEADING 'x' FROM 'xxaxx'), trim(TRAILING 'x' FROM 'xxaxx'), btrim('xyaxy', 'xy');
SELECT lpad('ab', 5), lpad('ab', 5, '*'), lpad('abcdef', 3, '*'), rpad('ab', 5, '-+'), rpad('ab', 0), lpad('é', 3, 'ü');
SELECT replace('hello world', 'o', '0'), replace('aaa', 'a', ''), replace('abc', '', 'x'), replace(NULL, 'a', 'b');
SELECT position('lo' IN 'hello'), position('z' IN 'hello'), position('' IN 'hello'), strpos('héllo', 'l');
SELECT reverse('hello'), reverse('héllo'), repeat('ab', 3), repeat('ab', 0), repeat('ab', -1);
SELECT split_part('a,b,c', ',', 2), split_part('a,b,c', ',', 4), split_part('a,b,c', ',', -1), split_part('abc', '', 1);
SELECT ascii('A'), ascii(''), chr(65), chr(233), md5('abc'), md5('');
SELECT translate('hello', 'el', 'ip'), translate('hello', 'l', ''), to_hex(255), to_hex(-1);
SELECT id, name, length(name), upper(name), lower(name) FROM people ORDER BY id;
SELECT id, city, length(city), octet_length(city), upper(city), reverse(city) FROM people ORDER BY id;
SELECT id, name || ' from ' || city, concat(name, ' from ', city), concat_ws(' / ', name, city, age) FROM people ORDER BY id;
SELECT id, substr(name, 2, 3), left(name, 3), right(name, 2), substr(city, age % 5, 2) FROM people ORDER BY id;
SELECT id, trim(name), '[' || ltrim(name) || ']', '[' || rtrim(name) || ']' FROM people ORDER BY id;
SELECT orders.id, lpad(name, 8, '.'), rpad(name, 8, '.'), lpad(status, 3) FROM people JOIN orders ON orders.person_id = people.id ORDER BY orders.id;
SELECT id, replace(note, ' ', '_'), position('a' IN note), strpos(note, 'e'), split_part(note, ' ', 1) FROM orders ORDER BY id;
SELECT label, length(label), upper(label), lower(label), '[' || trim(label) || ']', initcap(label) FROM events;
SELECT category, label, category || label, concat(category, label), repeat(category, 3) FROM events;
SELECT id, md5(name), ascii(name), ascii(city) FROM people ORDER BY id;
SELECT orders.id, name, status, name || status, upper(status) = 'PAID' FROM people JOIN orders ON people.id = orders.person_id ORDER BY orders.id;
SELECT format('%s and %s', 'a', 'b'), format('%I', 'Col'), format('%L', 'it''s'), quote_ident('a b'), quote_literal('x''y');
SELECT regexp_replace('hello world', 'o', '0'), regexp_replace('hello world', 'o', '0', 'g'), 'abc' ~ 'b', 'abc' ~* 'B', 'abc' !~ 'z';
