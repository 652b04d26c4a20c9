-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q5, hot items: in each HOP window (2 s slide, 10 s size), the auctions with the
-- most bids.
-- The view is the same as bench/nexmark/queries/q5.sql (RisingWave's text); the source reads
-- topic `bid`, which freshet-nexmark-producer filled with the nexmark generator's bids as JSON.
-- psql binds :'bootstrap' (the broker's address) and :source_options (more WITH options, each
-- preceded by a comma, or nothing); :'events' is not used here.
-- Run by bench/kafka/run.sh, which times only the CREATE MATERIALIZED VIEW; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v bootstrap=127.0.0.1:9092 -v source_options= \
--        -f bench/kafka/queries/q5.sql

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'kafka', topic = 'bid', properties.bootstrap.server = :'bootstrap',
        scan.startup.mode = 'earliest' :source_options)
FORMAT PLAIN ENCODE JSON;

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
