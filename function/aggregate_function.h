// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string_view>
#include <vector>

#include "common/data_type.h"

namespace freshet::function {

/// The accumulation an aggregate performs; the executor keeps one state per group and kind.
enum class AggregateKind : uint8_t {
  kCountStar,
  kCount,
  kSum,
  kAvg,
  kMin,
  kMax,
  kVarSamp,
  kVarPop,
  kStddevSamp,
  kStddevPop,
  kBoolAnd,
  kBoolOr,
  kStringAgg,
};

/// One overload of a built-in aggregate: its name, argument types, result type (Postgres's:
/// sum(integer) is bigint, avg(integer) numeric, ...) and how it accumulates.
struct AggregateFunction {
  std::string_view name;
  AggregateKind kind;
  std::vector<TypeId> arguments;
  DataType result;
};

/// True if `name` (lower case) is a built-in aggregate.
bool IsAggregateName(std::string_view name);
/// Every overload of aggregate `name` taking `arity` arguments.
std::vector<const AggregateFunction*> AggregateOverloads(std::string_view name, size_t arity);

}  // namespace freshet::function
