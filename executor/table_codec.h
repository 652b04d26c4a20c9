// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>

#include "common/column.h"
#include "planner/plan/batch_plan.h"

namespace freshet::executor {

// How a stored table's rows sit in the state store: key = table prefix + memcomparable primary key
// (or the 8-byte hidden row id), value = the row codec encoding of all columns.

/// The store key holding the next hidden row id of table `table_id`.
std::string TableRowIdKey(uint32_t table_id);
/// The key prefix shared by all rows of `table`.
std::string TableKeyPrefix(const plan::TableDescriptor& table);
/// Appends the stored row `bytes` to the first columns of `out` (further columns, such as a row
/// key, are the caller's) with op kInsert. Throws kDataCorrupted on bad bytes.
void DecodeTableRow(const plan::TableDescriptor& table, std::string_view bytes, Chunk& out);

}  // namespace freshet::executor
