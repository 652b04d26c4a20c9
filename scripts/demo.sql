-- The demo `make run` creates on a new data directory: a Kafka source over topic `bid` and a Kafka
-- table over topic `auction`, which freshet-nexmark-producer fills with a Nexmark stream (JSON,
-- 1,000 events per second, event time = now; auctions keyed by id), and four views kept up to date
-- as the events flow. scripts/run.sh binds :'bootstrap' to the address of the Kafka dev broker it
-- started. Query the views with psql at any moment.
CREATE SOURCE bid (
  auction BIGINT, bidder BIGINT, price BIGINT, channel VARCHAR, url VARCHAR, date_time TIMESTAMP,
  WATERMARK FOR date_time AS date_time - INTERVAL '2' SECOND
) WITH (connector = 'kafka', topic = 'bid', properties.bootstrap.server = :'bootstrap',
        scan.startup.mode = 'earliest')
FORMAT PLAIN ENCODE JSON;

-- The auctions, one row per id: the message key is the primary key, and a later message for the
-- same key would replace the row (a tombstone would delete it).
CREATE TABLE auction (
  id BIGINT PRIMARY KEY, item_name VARCHAR, initial_bid BIGINT, seller BIGINT, category BIGINT,
  date_time TIMESTAMP, expires TIMESTAMP
) WITH (connector = 'kafka', topic = 'auction', properties.bootstrap.server = :'bootstrap',
        scan.startup.mode = 'earliest')
FORMAT UPSERT ENCODE JSON;

-- Every bid in euros (Nexmark q1).
CREATE MATERIALIZED VIEW bids_in_euros AS
SELECT auction, bidder, price * 0.908 AS price_eur, date_time FROM bid;

-- Bids and the top price per auction, updated on every bid.
CREATE MATERIALIZED VIEW auction_stats AS
SELECT auction, count(*) AS bids, max(price) AS top_price FROM bid GROUP BY auction;

-- Bids per channel in 10-second windows, each window shown once it has closed.
CREATE MATERIALIZED VIEW channel_windows AS
SELECT channel, window_start, window_end, count(*) AS bids, avg(price) AS avg_price
FROM TUMBLE(bid, date_time, INTERVAL '10' SECOND)
GROUP BY channel, window_start, window_end
EMIT ON WINDOW CLOSE;

-- Bids per auction category: the bid stream joined with the auction table.
CREATE MATERIALIZED VIEW category_stats AS
SELECT a.category, count(*) AS bids, max(b.price) AS top_price
FROM bid b JOIN auction a ON b.auction = a.id
GROUP BY a.category;
