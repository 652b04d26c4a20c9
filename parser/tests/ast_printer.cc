// SPDX-License-Identifier: Apache-2.0
#include "parser/tests/ast_printer.h"

#include <fmt/format.h>

namespace freshet::parser::testing {
namespace {

std::string List(const std::vector<ast::ExpressionPtr>& expressions) {
  std::string out;
  for (const auto& expression : expressions) {
    out += out.empty() ? "" : " ";
    out += Print(*expression);
  }
  return out;
}

std::string OrderBy(const std::vector<ast::OrderItem>& items) {
  std::string out = "(order";
  for (const auto& item : items) {
    out += " " + Print(*item.expression);
    if (item.descending) {
      out += " desc";
    }
    if (item.nulls_first.has_value()) {
      out += *item.nulls_first ? " nulls_first" : " nulls_last";
    }
  }
  return out + ")";
}

std::string PrintLiteral(const ast::Literal& literal) {
  switch (literal.type) {
    case ast::Literal::Type::kNull:
      return "null";
    case ast::Literal::Type::kBoolean:
      return literal.boolean ? "true" : "false";
    case ast::Literal::Type::kInteger:
    case ast::Literal::Type::kDecimal:
      return literal.text;
    case ast::Literal::Type::kString:
      return "'" + literal.text + "'";
    case ast::Literal::Type::kTyped:
      return fmt::format("({} '{}')", Print(literal.typed), literal.text);
    case ast::Literal::Type::kInterval:
      return literal.interval_unit.empty()
                 ? fmt::format("(interval '{}')", literal.text)
                 : fmt::format("(interval '{}' {})", literal.text, literal.interval_unit);
  }
  return "?";
}

std::string PrintFunction(const ast::FunctionCall& call) {
  std::string out = "(" + (call.schema.empty() ? "" : call.schema + ".") + call.name;
  if (call.distinct) {
    out += " distinct";
  }
  if (call.star) {
    out += " *";
  }
  if (!call.arguments.empty()) {
    out += " " + List(call.arguments);
  }
  if (!call.order_by.empty()) {
    out += " " + OrderBy(call.order_by);
  }
  if (call.filter != nullptr) {
    out += " (filter " + Print(*call.filter) + ")";
  }
  if (call.over != nullptr) {
    out += " (over";
    if (!call.over->partition_by.empty()) {
      out += " (partition " + List(call.over->partition_by) + ")";
    }
    if (!call.over->order_by.empty()) {
      out += " " + OrderBy(call.over->order_by);
    }
    out += ")";
  }
  return out + ")";
}

std::string SubqueryType(ast::Subquery::Type type) {
  switch (type) {
    case ast::Subquery::Type::kScalar:
      return "scalar";
    case ast::Subquery::Type::kExists:
      return "exists";
    case ast::Subquery::Type::kIn:
      return "in";
    case ast::Subquery::Type::kAny:
      return "any";
    case ast::Subquery::Type::kAll:
      return "all";
  }
  return "?";
}

}  // namespace

std::string Print(const ast::TypeName& type) {
  std::string out = type.name;
  if (!type.modifiers.empty()) {
    out += fmt::format("({})", fmt::join(type.modifiers, ","));
  }
  return type.is_array ? out + "[]" : out;
}

std::string Print(const ast::Expression& expression) {
  switch (expression.kind) {
    case ast::ExpressionKind::kLiteral:
      return PrintLiteral(static_cast<const ast::Literal&>(expression));
    case ast::ExpressionKind::kColumnRef:
      return fmt::format("{}",
                         fmt::join(static_cast<const ast::ColumnRef&>(expression).names, "."));
    case ast::ExpressionKind::kStar: {
      const auto& star = static_cast<const ast::Star&>(expression);
      return star.qualifier.has_value() ? *star.qualifier + ".*" : "*";
    }
    case ast::ExpressionKind::kParameter:
      return fmt::format("${}", static_cast<const ast::Parameter&>(expression).index);
    case ast::ExpressionKind::kUnary: {
      const auto& unary = static_cast<const ast::Unary&>(expression);
      return fmt::format("({} {})", unary.op, Print(*unary.operand));
    }
    case ast::ExpressionKind::kBinary: {
      const auto& binary = static_cast<const ast::Binary&>(expression);
      return fmt::format("({} {} {})", binary.op, Print(*binary.left), Print(*binary.right));
    }
    case ast::ExpressionKind::kFunctionCall:
      return PrintFunction(static_cast<const ast::FunctionCall&>(expression));
    case ast::ExpressionKind::kCast: {
      const auto& cast = static_cast<const ast::Cast&>(expression);
      return fmt::format("(cast {} {})", Print(*cast.operand), Print(cast.type));
    }
    case ast::ExpressionKind::kIsNull: {
      const auto& is_null = static_cast<const ast::IsNull&>(expression);
      return fmt::format("({} {})", is_null.negated ? "is_not_null" : "is_null",
                         Print(*is_null.operand));
    }
    case ast::ExpressionKind::kIsBoolean: {
      const auto& is_boolean = static_cast<const ast::IsBoolean&>(expression);
      std::string test = is_boolean.test == ast::IsBoolean::Test::kTrue    ? "true"
                         : is_boolean.test == ast::IsBoolean::Test::kFalse ? "false"
                                                                           : "unknown";
      return fmt::format("(is{}_{} {})", is_boolean.negated ? "_not" : "", test,
                         Print(*is_boolean.operand));
    }
    case ast::ExpressionKind::kBetween: {
      const auto& between = static_cast<const ast::Between&>(expression);
      return fmt::format("({}between{} {} {} {})", between.negated ? "not_" : "",
                         between.symmetric ? "_symmetric" : "", Print(*between.operand),
                         Print(*between.low), Print(*between.high));
    }
    case ast::ExpressionKind::kInList: {
      const auto& in_list = static_cast<const ast::InList&>(expression);
      return fmt::format("({}in {} ({}))", in_list.negated ? "not_" : "", Print(*in_list.operand),
                         List(in_list.list));
    }
    case ast::ExpressionKind::kLike: {
      const auto& like = static_cast<const ast::Like&>(expression);
      std::string out = fmt::format("({}{} {} {}", like.negated ? "not_" : "",
                                    like.case_insensitive ? "ilike" : "like", Print(*like.operand),
                                    Print(*like.pattern));
      if (like.escape != nullptr) {
        out += " (escape " + Print(*like.escape) + ")";
      }
      return out + ")";
    }
    case ast::ExpressionKind::kCase: {
      const auto& case_node = static_cast<const ast::Case&>(expression);
      std::string out = "(case";
      if (case_node.operand != nullptr) {
        out += " " + Print(*case_node.operand);
      }
      for (const auto& [when, then] : case_node.when_then) {
        out += fmt::format(" (when {} {})", Print(*when), Print(*then));
      }
      if (case_node.else_result != nullptr) {
        out += " (else " + Print(*case_node.else_result) + ")";
      }
      return out + ")";
    }
    case ast::ExpressionKind::kSubquery: {
      const auto& subquery = static_cast<const ast::Subquery&>(expression);
      std::string out =
          "(" + (subquery.negated ? std::string("not_") : "") + SubqueryType(subquery.type);
      if (!subquery.op.empty()) {
        out += " " + subquery.op;
      }
      if (subquery.operand != nullptr) {
        out += " " + Print(*subquery.operand);
      }
      return out + " " + Print(*subquery.select) + ")";
    }
    case ast::ExpressionKind::kArray: {
      const auto& array = static_cast<const ast::Array&>(expression);
      std::string out = "[";
      for (size_t i = 0; i < array.elements.size(); ++i) {
        out += (i == 0 ? "" : " ") + Print(*array.elements[i]);
      }
      return out + "]";
    }
    case ast::ExpressionKind::kSubscript: {
      const auto& subscript = static_cast<const ast::Subscript&>(expression);
      return fmt::format("(subscript {} {})", Print(*subscript.operand), Print(*subscript.index));
    }
  }
  return "?";
}

std::string Print(const ast::TableRef& table_ref) {
  std::string out;
  switch (table_ref.kind) {
    case ast::TableRefKind::kBaseTable: {
      const auto& table = static_cast<const ast::BaseTable&>(table_ref);
      out = table.schema.empty() ? table.name : table.schema + "." + table.name;
      break;
    }
    case ast::TableRefKind::kJoin: {
      const auto& join = static_cast<const ast::Join&>(table_ref);
      static constexpr const char* kTypes[] = {"inner", "left", "right", "full", "cross"};
      out = fmt::format("({}{}_join {} {}", join.natural ? "natural_" : "",
                        kTypes[static_cast<int>(join.type)], Print(*join.left), Print(*join.right));
      if (join.condition != nullptr) {
        out += " (on " + Print(*join.condition) + ")";
      }
      if (!join.using_columns.empty()) {
        out += fmt::format(" (using {})", fmt::join(join.using_columns, " "));
      }
      out += ")";
      break;
    }
    case ast::TableRefKind::kSubquery:
      out = Print(*static_cast<const ast::SubqueryRef&>(table_ref).select);
      break;
    case ast::TableRefKind::kTableFunction: {
      const auto& function = static_cast<const ast::TableFunction&>(table_ref);
      out = fmt::format("({}{} {})", function.flink_spelling ? "flink:" : "", function.name,
                        List(function.arguments));
      break;
    }
    case ast::TableRefKind::kValues: {
      const auto& values = static_cast<const ast::ValuesRef&>(table_ref);
      out = "(values";
      for (const auto& row : values.rows) {
        out += " (" + List(row) + ")";
      }
      out += ")";
      break;
    }
  }
  if (!table_ref.alias.empty()) {
    out += " as " + table_ref.alias;
    if (!table_ref.column_aliases.empty()) {
      out += fmt::format("({})", fmt::join(table_ref.column_aliases, ","));
    }
  }
  return out;
}

std::string Print(const ast::Select& select) {
  std::string out;
  if (!select.with.empty()) {
    out += "(with";
    for (const auto& cte : select.with) {
      out += fmt::format(
          " ({}{} {})", cte.name,
          cte.column_aliases.empty() ? "" : fmt::format("({})", fmt::join(cte.column_aliases, ",")),
          Print(*cte.select));
    }
    out += ") ";
  }
  if (select.set_operation != ast::Select::SetOperation::kNone) {
    static constexpr const char* kOperations[] = {"", "union", "intersect", "except"};
    out += fmt::format("({}{} {} {}", kOperations[static_cast<int>(select.set_operation)],
                       select.set_all ? "_all" : "", Print(*select.left), Print(*select.right));
  } else if (!select.values.empty()) {
    out += "(values";
    for (const auto& row : select.values) {
      out += " (" + List(row) + ")";
    }
  } else {
    out += "(select";
    if (select.distinct) {
      out += " distinct";
      if (!select.distinct_on.empty()) {
        out += " (on " + List(select.distinct_on) + ")";
      }
    }
    for (const auto& item : select.items) {
      out += " " + Print(*item.expression);
      if (!item.alias.empty()) {
        out += " as " + item.alias;
      }
    }
    if (!select.from.empty()) {
      out += " (from";
      for (const auto& table_ref : select.from) {
        out += " " + Print(*table_ref);
      }
      out += ")";
    }
    if (select.where != nullptr) {
      out += " (where " + Print(*select.where) + ")";
    }
    if (!select.group_by.empty()) {
      out += " (group " + List(select.group_by) + ")";
    }
    if (select.having != nullptr) {
      out += " (having " + Print(*select.having) + ")";
    }
  }
  if (!select.order_by.empty()) {
    out += " " + OrderBy(select.order_by);
  }
  if (select.limit != nullptr) {
    out += " (limit " + Print(*select.limit) + ")";
  }
  if (select.offset != nullptr) {
    out += " (offset " + Print(*select.offset) + ")";
  }
  if (select.emit_on_window_close) {
    out += " emit_on_window_close";
  }
  return out + ")";
}

}  // namespace freshet::parser::testing
