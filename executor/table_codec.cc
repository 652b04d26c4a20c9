// SPDX-License-Identifier: Apache-2.0
#include "executor/table_codec.h"

#include "storage/key_codec.h"
#include "storage/row_codec.h"

namespace freshet::executor {

std::string TableRowIdKey(uint32_t table_id) {
  std::string key = storage::SystemKey("next_row_id/");
  storage::AppendUint32(table_id, key);
  return key;
}

std::string TableKeyPrefix(const plan::TableDescriptor& table) {
  return storage::TablePrefix(table.table_id);
}

void DecodeTableRow(const plan::TableDescriptor& table, std::string_view bytes, Chunk& out) {
  storage::DecodeRowIntoColumns(bytes, table.column_types, out.Columns()).ThrowIfError();
  out.MutableOps().push_back(Op::kInsert);
}

}  // namespace freshet::executor
