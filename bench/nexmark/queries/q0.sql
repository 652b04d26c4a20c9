-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q0 (RisingWave's text, e2e_test/streaming/nexmark/views/q0.slt.part): pass-through.
-- Run by bench/nexmark/run.sh; by hand: psql -v events=1000000 -f bench/nexmark/queries/q0.sql
-- The sources are declared with every column of their table and the Flink DDL's 4 s watermark delay.
-- Only the CREATE MATERIALIZED VIEW is timed (it starts the readers); the sources are created first.

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', nexmark.table.type = 'Bid', nexmark.event.num = :'events');

CREATE MATERIALIZED VIEW nexmark_q0 AS
SELECT auction, bidder, price, date_time FROM bid;
