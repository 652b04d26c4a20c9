-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q5, hot items: in each HOP window (2 s slide, 10 s size), the auctions with the
-- most bids.
-- The view is RisingWave's text (e2e_test/streaming/nexmark/views/q5.slt.part). The sources
-- declare every column of their table and the Flink DDL's 4 s watermark delay; psql binds
-- :'events' (nexmark.event.num, events of the whole stream, all kinds).
-- Run by bench/nexmark/run.sh, which times only the CREATE MATERIALIZED VIEW; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v events=1000000 -f bench/nexmark/queries/q5.sql

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
