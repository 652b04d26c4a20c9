-- SPDX-License-Identifier: Apache-2.0
-- The ceiling inside the server: the Kafka source alone. A view that reads every bid of topic
-- `bid` (every message fetched and all seven columns decoded from JSON) and keeps none, so the
-- time is the Kafka reader, the JSON decoder, the watermark and one filter, with no state and
-- nothing to commit. The Kafka counterpart of bench/nexmark/queries/generator.sql.
-- Run by bench/kafka/run.sh; by hand:
--   psql -h 127.0.0.1 -p 5488 -U freshet -d dev -v bootstrap=127.0.0.1:9092 -v source_options= \
--        -f bench/kafka/queries/generator.sql

CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  extra VARCHAR,
  WATERMARK FOR date_time AS date_time - INTERVAL '4' SECOND
) WITH (connector = 'kafka', topic = 'bid', properties.bootstrap.server = :'bootstrap',
        scan.startup.mode = 'earliest' :source_options)
FORMAT PLAIN ENCODE JSON;

CREATE MATERIALIZED VIEW nexmark_generator AS
SELECT auction FROM bid WHERE price < 0;
