-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q7, highest bid: the bids with the highest price of each TUMBLE(10 s) window
-- (a window aggregate joined back to the bids).
-- The view is RisingWave's text (e2e_test/streaming/nexmark/views/q7.slt.part). The sources
-- declare every column of their table and the Flink DDL's 4 s watermark delay; psql binds
-- :'events' (nexmark.event.num, events of the whole stream, all kinds).
-- Run by bench/nexmark/run.sh, which times only the CREATE MATERIALIZED VIEW; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v events=1000000 -f bench/nexmark/queries/q7.sql

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', nexmark.table.type = 'Bid', nexmark.event.num = :'events');

CREATE MATERIALIZED VIEW nexmark_q7 AS
SELECT B.auction, B.price, B.bidder, B.date_time
FROM bid B
JOIN (
    SELECT MAX(price) AS maxprice, window_end AS date_time
    FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
    GROUP BY window_end
) B1 ON B.price = B1.maxprice
WHERE B.date_time BETWEEN B1.date_time - INTERVAL '10' SECOND AND B1.date_time;
