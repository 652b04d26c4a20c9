// SPDX-License-Identifier: Apache-2.0
#include "function/aggregate_function.h"

namespace freshet::function {
namespace {

std::vector<AggregateFunction> MakeAggregates() {
  std::vector<AggregateFunction> aggregates;
  const DataType bigint = DataType::Bigint();
  const DataType numeric(TypeId::kNumeric);
  const DataType dbl = DataType::Double();
  const DataType boolean = DataType::Boolean();
  const TypeId all_types[] = {TypeId::kBoolean,     TypeId::kSmallint, TypeId::kInteger,
                              TypeId::kBigint,      TypeId::kReal,     TypeId::kDouble,
                              TypeId::kNumeric,     TypeId::kText,     TypeId::kBytea,
                              TypeId::kDate,        TypeId::kTime,     TypeId::kTimestamp,
                              TypeId::kTimestamptz, TypeId::kInterval, TypeId::kJsonb};
  aggregates.push_back({"count", AggregateKind::kCountStar, {}, bigint});
  for (TypeId type : all_types) {
    aggregates.push_back({"count", AggregateKind::kCount, {type}, bigint});
  }
  // Postgres's result types: small integers sum to bigint, bigint and numeric to numeric.
  aggregates.push_back({"sum", AggregateKind::kSum, {TypeId::kSmallint}, bigint});
  aggregates.push_back({"sum", AggregateKind::kSum, {TypeId::kInteger}, bigint});
  aggregates.push_back({"sum", AggregateKind::kSum, {TypeId::kBigint}, numeric});
  aggregates.push_back({"sum", AggregateKind::kSum, {TypeId::kNumeric}, numeric});
  aggregates.push_back({"sum", AggregateKind::kSum, {TypeId::kReal}, DataType(TypeId::kReal)});
  aggregates.push_back({"sum", AggregateKind::kSum, {TypeId::kDouble}, dbl});
  aggregates.push_back(
      {"sum", AggregateKind::kSum, {TypeId::kInterval}, DataType(TypeId::kInterval)});
  for (TypeId type : {TypeId::kSmallint, TypeId::kInteger, TypeId::kBigint, TypeId::kNumeric}) {
    aggregates.push_back({"avg", AggregateKind::kAvg, {type}, numeric});
  }
  aggregates.push_back({"avg", AggregateKind::kAvg, {TypeId::kReal}, dbl});
  aggregates.push_back({"avg", AggregateKind::kAvg, {TypeId::kDouble}, dbl});
  aggregates.push_back(
      {"avg", AggregateKind::kAvg, {TypeId::kInterval}, DataType(TypeId::kInterval)});
  for (TypeId type : all_types) {
    if (type == TypeId::kJsonb || type == TypeId::kBoolean) {
      continue;
    }
    aggregates.push_back({"min", AggregateKind::kMin, {type}, DataType(type)});
    aggregates.push_back({"max", AggregateKind::kMax, {type}, DataType(type)});
  }
  struct Statistic {
    std::string_view name;
    AggregateKind kind;
  };
  const Statistic statistics[] = {
      {"var_samp", AggregateKind::kVarSamp},  {"variance", AggregateKind::kVarSamp},
      {"var_pop", AggregateKind::kVarPop},    {"stddev_samp", AggregateKind::kStddevSamp},
      {"stddev", AggregateKind::kStddevSamp}, {"stddev_pop", AggregateKind::kStddevPop}};
  for (const Statistic& statistic : statistics) {
    for (TypeId type : {TypeId::kSmallint, TypeId::kInteger, TypeId::kBigint, TypeId::kNumeric}) {
      aggregates.push_back({statistic.name, statistic.kind, {type}, numeric});
    }
    aggregates.push_back({statistic.name, statistic.kind, {TypeId::kReal}, dbl});
    aggregates.push_back({statistic.name, statistic.kind, {TypeId::kDouble}, dbl});
  }
  aggregates.push_back({"bool_and", AggregateKind::kBoolAnd, {TypeId::kBoolean}, boolean});
  aggregates.push_back({"every", AggregateKind::kBoolAnd, {TypeId::kBoolean}, boolean});
  aggregates.push_back({"bool_or", AggregateKind::kBoolOr, {TypeId::kBoolean}, boolean});
  aggregates.push_back(
      {"string_agg", AggregateKind::kStringAgg, {TypeId::kText, TypeId::kText}, DataType::Text()});
  aggregates.push_back({"string_agg",
                        AggregateKind::kStringAgg,
                        {TypeId::kBytea, TypeId::kBytea},
                        DataType(TypeId::kBytea)});
  return aggregates;
}

const std::vector<AggregateFunction>& Aggregates() {
  static const std::vector<AggregateFunction> aggregates = MakeAggregates();
  return aggregates;
}

}  // namespace

bool IsAggregateName(std::string_view name) {
  for (const AggregateFunction& aggregate : Aggregates()) {
    if (aggregate.name == name) {
      return true;
    }
  }
  return false;
}

std::vector<const AggregateFunction*> AggregateOverloads(std::string_view name, size_t arity) {
  std::vector<const AggregateFunction*> result;
  for (const AggregateFunction& aggregate : Aggregates()) {
    if (aggregate.name == name && aggregate.arguments.size() == arity) {
      result.push_back(&aggregate);
    }
  }
  return result;
}

}  // namespace freshet::function
