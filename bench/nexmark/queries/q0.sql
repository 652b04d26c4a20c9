-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q0, pass-through: every bid, four of its columns.
-- The view is RisingWave's text (e2e_test/streaming/nexmark/views/q0.slt.part). The sources
-- declare every column of their table and the Flink DDL's 4 s watermark delay; psql binds
-- :'events' (nexmark.event.num, events of the whole stream, all kinds).
-- Run by bench/nexmark/run.sh, which times only the CREATE MATERIALIZED VIEW; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v events=1000000 -f bench/nexmark/queries/q0.sql

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', nexmark.table.type = 'Bid', nexmark.event.num = :'events');

CREATE MATERIALIZED VIEW nexmark_q0 AS
SELECT auction, bidder, price, date_time FROM bid;
