// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <algorithm>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/column.h"
#include "common/data_type.h"
#include "common/error.h"
#include "connectors/source_reader.h"

// What the connector tests share: building a SourceSpec, reading a reader dry as text rows, and
// catching the SQLSTATE of an Error.
namespace freshet::connectors::testing {

/// Builds the spec of source "src" from its options and its columns.
inline SourceSpec MakeSpec(ConnectorOptions options,
                           const std::vector<std::pair<std::string, DataType>>& columns) {
  SourceSpec spec;
  spec.source_name = "src";
  spec.options = std::move(options);
  for (const auto& [name, type] : columns) {
    spec.column_names.push_back(name);
    spec.column_types.push_back(type);
  }
  return spec;
}

/// Appends the rows of `chunk` to `rows` as text, columns separated by '|'.
inline void AppendRowsAsText(const Chunk& chunk, std::vector<std::string>& rows) {
  for (size_t row = 0; row < chunk.NumRows(); ++row) {
    std::string text;
    for (size_t c = 0; c < chunk.NumColumns(); ++c) {
      if (c > 0) {
        text += '|';
      }
      if (chunk.GetColumn(c).IsNull(row)) {
        text += "NULL";
      } else {
        chunk.GetColumn(c).AppendText(row, text);
      }
    }
    rows.push_back(std::move(text));
  }
}

/// Reads up to `limit` rows from `reader` in chunks of at most `chunk_rows` rows, as text. Stops
/// early when the reader returns 0 rows (exhausted or throttled).
inline std::vector<std::string> ReadRows(SourceReader& reader,
                                         const SourceSpec& spec,
                                         size_t limit,
                                         size_t chunk_rows = 97) {
  std::vector<std::string> rows;
  while (rows.size() < limit) {
    Chunk chunk(spec.column_types);
    const size_t read = reader.Read(chunk, std::min(chunk_rows, limit - rows.size()));
    if (read == 0) {
      break;
    }
    if (chunk.NumRows() != read) {
      throw Error::Internal("Read returned a count that differs from the chunk's rows");
    }
    AppendRowsAsText(chunk, rows);
  }
  return rows;
}

/// Reads up to `limit_per_shard` rows of each of `shard_count` shards and returns them all,
/// sorted.
inline std::vector<std::string> ReadAllShardsSorted(const SourceSpec& spec,
                                                    uint32_t shard_count,
                                                    size_t limit_per_shard) {
  std::vector<std::string> rows;
  for (uint32_t shard = 0; shard < shard_count; ++shard) {
    std::unique_ptr<SourceReader> reader = CreateSourceReader(spec, shard, shard_count);
    std::vector<std::string> shard_rows = ReadRows(*reader, spec, limit_per_shard);
    rows.insert(rows.end(), shard_rows.begin(), shard_rows.end());
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

/// Returns "<SQLSTATE>: <message>" of the Error `body` throws, or "no error".
inline std::string ErrorOf(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& error) {
    return std::string(error.Code()) + ": " + error.Message();
  }
  return "no error";
}

}  // namespace freshet::connectors::testing
