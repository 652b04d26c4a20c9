-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q8, monitor new users: the people who opened an auction in the TUMBLE(10 s)
-- window they registered in (a window join of person and auction).
-- The view is RisingWave's text (e2e_test/streaming/nexmark/views/q8.slt.part). The sources
-- declare every column of their table and the Flink DDL's 4 s watermark delay; psql binds
-- :'events' (nexmark.event.num, events of the whole stream, all kinds).
-- Run by bench/nexmark/run.sh, which times only the CREATE MATERIALIZED VIEW; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v events=1000000 -f bench/nexmark/queries/q8.sql

CREATE SOURCE person (
  id BIGINT, name VARCHAR, email_address VARCHAR, credit_card VARCHAR, city VARCHAR, state VARCHAR,
  date_time TIMESTAMP, extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', nexmark.table.type = 'Person', nexmark.event.num = :'events');

CREATE SOURCE auction (
  id BIGINT, item_name VARCHAR, description VARCHAR, initial_bid BIGINT, reserve BIGINT,
  date_time TIMESTAMP, expires TIMESTAMP, seller BIGINT, category BIGINT, extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', nexmark.table.type = 'Auction', nexmark.event.num = :'events');

CREATE MATERIALIZED VIEW nexmark_q8 AS
SELECT
    P.id,
    P.name,
    P.starttime
FROM (
    SELECT
        id,
        name,
        window_start AS starttime,
        window_end AS endtime
    FROM TUMBLE(person, date_time, INTERVAL '10' SECOND)
    GROUP BY id, name, window_start, window_end
) P
JOIN (
    SELECT
        seller,
        window_start AS starttime,
        window_end AS endtime
    FROM TUMBLE(auction, date_time, INTERVAL '10' SECOND)
    GROUP BY seller, window_start, window_end
) A ON P.id = A.seller AND P.starttime = A.starttime AND P.endtime = A.endtime;
