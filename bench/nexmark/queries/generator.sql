-- SPDX-License-Identifier: Apache-2.0
-- The ceiling: the Bid generator alone. A view that reads every bid (all seven columns are
-- generated: the plan prunes none) and keeps none, so the time is the nexmark reader, the
-- watermark and one filter, with no state and nothing to commit.
-- Run by bench/nexmark/run.sh; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v events=1000000 \
--        -f bench/nexmark/queries/generator.sql

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'nexmark', nexmark.table.type = 'Bid', nexmark.event.num = :'events');

CREATE MATERIALIZED VIEW nexmark_generator AS
SELECT auction FROM bid WHERE price < 0;
