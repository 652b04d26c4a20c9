-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q1, currency conversion: every bid with its price in euros (0.908 * dollars).
-- The view is RisingWave's text (e2e_test/streaming/nexmark/views/q1.slt.part). The sources
-- declare every column of their table and the Flink DDL's 4 s watermark delay; psql binds
-- :'events' (nexmark.event.num, events of the whole stream, all kinds).
-- Run by bench/nexmark/run.sh, which times only the CREATE MATERIALIZED VIEW; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v events=1000000 -f bench/nexmark/queries/q1.sql

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', nexmark.table.type = 'Bid', nexmark.event.num = :'events');

CREATE MATERIALIZED VIEW nexmark_q1 AS
SELECT
    auction,
    bidder,
    0.908 * price AS price,
    date_time
FROM bid;
