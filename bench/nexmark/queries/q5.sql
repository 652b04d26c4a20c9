-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q5 (RisingWave's text, e2e_test/streaming/nexmark/views/q5.slt.part): hot items: the auctions with the most bids in each HOP(2 s slide, 10 s size) window.
-- Run by bench/nexmark/run.sh; by hand: psql -v events=1000000 -f bench/nexmark/queries/q5.sql
-- The sources are declared with every column of their table and the Flink DDL's 4 s watermark delay.
-- Only the CREATE MATERIALIZED VIEW is timed (it starts the readers); the sources are created first.

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', nexmark.table.type = 'Bid', nexmark.event.num = :'events');

CREATE MATERIALIZED VIEW nexmark_q5 AS
SELECT AuctionBids.auction, AuctionBids.num
FROM (
    SELECT bid.auction, count(*) AS num, window_start AS starttime
    FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
    GROUP BY window_start, bid.auction
) AS AuctionBids
JOIN (
    SELECT max(CountBids.num) AS maxn, CountBids.starttime_c
    FROM (
        SELECT count(*) AS num, window_start AS starttime_c
        FROM HOP(bid, date_time, INTERVAL '2' SECOND, INTERVAL '10' SECOND)
        GROUP BY bid.auction, window_start
    ) AS CountBids
    GROUP BY CountBids.starttime_c
) AS MaxBids
ON AuctionBids.starttime = MaxBids.starttime_c AND AuctionBids.num >= MaxBids.maxn;
