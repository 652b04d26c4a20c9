-- SPDX-License-Identifier: Apache-2.0
-- Nexmark q1, currency conversion: every bid with its price in euros (0.908 * dollars).
-- The view is the same as bench/nexmark/queries/q1.sql (RisingWave's text); the source reads
-- topic `bid`, which freshet-nexmark-producer filled with the nexmark generator's bids as JSON.
-- psql binds :'bootstrap' (the broker's address) and :source_options (more WITH options, each
-- preceded by a comma, or nothing); :'events' is not used here.
-- Run by bench/kafka/run.sh, which times only the CREATE MATERIALIZED VIEW; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v bootstrap=127.0.0.1:9092 -v source_options= \
--        -f bench/kafka/queries/q1.sql

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'kafka', topic = 'bid', properties.bootstrap.server = :'bootstrap',
        scan.startup.mode = 'earliest' :source_options)
FORMAT PLAIN ENCODE JSON;

CREATE MATERIALIZED VIEW nexmark_q1 AS
SELECT
    auction,
    bidder,
    0.908 * price AS price,
    date_time
FROM bid;
