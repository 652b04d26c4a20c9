-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q7 (RisingWave's text, e2e_test/streaming/nexmark/views/q7.slt.part): highest bid: the bids with the highest price of each TUMBLE(10 s) window.
-- Run by bench/nexmark/run.sh; by hand: psql -v events=1000000 -f bench/nexmark/queries/q7.sql
-- The sources are declared with every column of their table and the Flink DDL's 4 s watermark delay.
-- Only the CREATE MATERIALIZED VIEW is timed (it starts the readers); the sources are created first.

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
