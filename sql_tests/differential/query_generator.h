// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sql_tests/differential/fixture.h"
#include "sql_tests/differential/random.h"

namespace freshet::sql_tests::differential {

/// One generated query and the feature it exercises, which groups it in the summary.
struct GeneratedQuery {
  std::string sql;
  std::string category;
};

struct GeneratedView;

/// Stands for the relation a view on a view reads in GeneratedView::sql: the view's name for
/// Freshet, the base view's query in parentheses for PostgreSQL.
inline constexpr std::string_view kBaseViewPlaceholder = "@BASE_VIEW@";

/// Generates random, type-correct queries over the fixture whose answers PostgreSQL fully
/// determines: integer arithmetic stays in range (value bounds are tracked per expression),
/// divisors go through NULLIF, doubles are multiples of 1/8 so sums and averages are exact in
/// any order, values that are equal but spelled differently (0 and -0, 1.5 and 1.50) never reach
/// GROUP BY, DISTINCT, UNION, min or max, every LIMIT follows an ORDER BY over all output
/// columns, and string_agg orders its input. Not thread-safe.
class QueryGenerator {
 public:
  QueryGenerator(const std::vector<TableSpec>& tables, uint64_t seed);

  /// Returns the next query; the sequence depends only on the seed.
  GeneratedQuery Next();

  /// Returns the next query a materialized view can maintain: projections, filters, aggregates
  /// (no string_agg), GROUP BY with HAVING, joins of every kind, UNION [ALL], DISTINCT, and
  /// ORDER BY only with LIMIT; no subqueries. Its output columns are c1..cN. A generator used for
  /// views should not also produce Next() queries (the sequences would mix).
  GeneratedView NextView();

  /// Returns a query over `base` (a filter, projection, aggregate, GROUP BY, DISTINCT or top-N
  /// of its columns) that reads it as kBaseViewPlaceholder, with an alias.
  GeneratedView ViewOnView(const GeneratedView& base);

  /// Returns a predicate over the columns of `table`, qualified by the table's name (for the
  /// WHERE of an UPDATE or DELETE), nested at most `depth` deep.
  std::string Predicate(const TableSpec& table, int depth);

  /// What the generator knows about one expression: its SQL and enough about its values to keep
  /// the queries deterministic and free of overflow.
  struct Expr {
    std::string sql;
    SqlType type = SqlType::kInt32;
    /// Integers, doubles and numerics: an upper bound of the absolute value.
    double max_abs = 0;
    /// Doubles: the values are multiples of 2^-frac_bits while `exact`.
    int frac_bits = 0;
    /// Doubles: no rounding has happened, so sums do not depend on the order of the rows.
    bool exact = true;
    /// Doubles: the value may be -0, which prints differently from 0 but equals it.
    bool negative_zero = false;
    /// Numerics: the digits after the point, the same on every row; -1 when rows differ.
    int scale = 0;
  };

  /// The broad kinds of expression the generator asks for.
  enum class Family { kBool, kInt, kDouble, kNumeric, kText, kDate, kTimestamp };

 private:
  using Scope = std::vector<Expr>;

  /// A table in FROM with its alias.
  struct TableRef {
    const TableSpec* table;
    std::string alias;
  };

  /// Two columns that join: equal types, overlapping values.
  struct JoinEdge {
    std::string left_table, left_column, right_table, right_column;
  };

  /// An expression of the family, nested at most `depth` deep, over the scope's columns.
  Expr Generate(Family family, int depth, const Scope& scope);
  /// A column of the family (mostly) or a literal.
  Expr Leaf(Family family, const Scope& scope);
  /// A literal of the family, sometimes a typed NULL.
  Expr Literal(Family family);
  /// An integer expression whose bound stays within its type.
  Expr GenerateInt(int depth, const Scope& scope);
  /// A double expression, tracking exactness and -0.
  Expr GenerateDouble(int depth, const Scope& scope);
  /// A numeric expression, tracking its scale.
  Expr GenerateNumeric(int depth, const Scope& scope);
  /// A text expression built from string functions.
  Expr GenerateText(int depth, const Scope& scope);
  /// A predicate: comparisons, logic, NULL tests, BETWEEN, IN, LIKE.
  Expr GenerateBool(int depth, const Scope& scope);
  /// A date expression: arithmetic with small day counts, casts.
  Expr GenerateDate(int depth, const Scope& scope);
  /// A timestamp expression: date_trunc, intervals, casts.
  Expr GenerateTimestamp(int depth, const Scope& scope);
  /// An expression whose equal values always print the same (safe for GROUP BY, DISTINCT,
  /// UNION, min and max).
  Expr GenerateCanonical(Family family, int depth, const Scope& scope);
  /// An aggregate call over the scope, with its result described as far as it matters.
  Expr Aggregate(const Scope& scope);
  /// A LIKE pattern derived from one of the fixture's words.
  std::string LikePattern();
  /// Any family, integers and text weighted up.
  Family RandomFamily();
  /// A family with an order (not boolean).
  Family RandomOrderableFamily();

  /// people, orders or events; with allow_small also tiny or nothing.
  const TableSpec& RandomTable(bool allow_small);
  /// The table with a fresh alias.
  TableRef Ref(const TableSpec& table);
  /// The table's columns, qualified by its alias, with their value bounds.
  Scope ScopeOf(const TableRef& ref);
  /// The fixture table of that name.
  const TableSpec& Table(const std::string& name) const;
  /// `e1 AS c1, e2 AS c2, ...`.
  std::string SelectList(const std::vector<Expr>& items, size_t first_alias = 1) const;
  /// ORDER BY over every output column (by position), sometimes with LIMIT and OFFSET.
  std::string OrderByAll(size_t columns, bool allow_limit);
  /// ` WHERE <predicate>` with the given probability, else nothing.
  std::string MaybeWhere(const Scope& scope, int percent);

  /// SELECT expressions FROM one table.
  GeneratedQuery Projection();
  /// SELECT columns FROM one table WHERE a deeper predicate.
  GeneratedQuery Filter();
  /// Aggregates without GROUP BY.
  GeneratedQuery PlainAggregate();
  /// GROUP BY over one table.
  GeneratedQuery GroupBy();
  /// Two- and three-way joins of every kind, with or without GROUP BY.
  GeneratedQuery Join();
  /// IN / NOT IN, EXISTS / NOT EXISTS and scalar subqueries.
  GeneratedQuery Subquery();
  /// A subquery in FROM or a CTE, queried or grouped.
  GeneratedQuery DerivedTable();
  /// UNION [ALL], INTERSECT [ALL], EXCEPT [ALL] of two SELECTs.
  GeneratedQuery SetOperation();
  /// SELECT DISTINCT.
  GeneratedQuery Distinct();
  /// SELECT ... GROUP BY over `from` with `scope`, shared by GroupBy, Join and DerivedTable.
  /// Stores the output columns in `items` when given.
  std::string GroupedSelect(const std::string& from,
                            const Scope& scope,
                            bool allow_order,
                            std::vector<Expr>* items = nullptr);

  /// The FROM clause and scope of a join a view can maintain (no extra join predicates on FULL
  /// JOIN, sometimes a third table).
  /// An implicit join (`FROM a, b`) leaves its condition in `required_where`.
  std::string ViewJoinFrom(Scope& scope, std::string& required_where);
  /// A projection, filter, aggregate, GROUP BY or DISTINCT over `from` with `scope`, the shapes
  /// views and views on views share; `shape` picks one (0-4) and names the category.
  /// `required_where` (the condition of an implicit join) is ANDed into the WHERE.
  GeneratedView ViewBody(const std::string& from,
                         const Scope& scope,
                         int shape,
                         const std::string& required_where);
  /// Appends ORDER BY ... LIMIT to the view, over every column (the top rows are then fully
  /// determined when every column prints equal values alike) or over a prefix of them.
  void AddTopN(GeneratedView& view);
  /// A column of the scope whose equal values print alike, or std::nullopt.
  std::optional<Expr> CanonicalColumn(const Scope& scope);

  const std::vector<TableSpec>& tables_;
  Random random_;
  std::vector<std::string> words_;
  std::vector<JoinEdge> edges_;
  int alias_counter_ = 0;
  /// Set while generating views: no string_agg, GROUP BY keys only from canonical columns.
  bool view_mode_ = false;
};

/// A generated query for a materialized view, with what the tester needs to check it.
struct GeneratedView {
  std::string sql;
  /// "view:join", "view_on_view:group_by", ...; a "+top_n" suffix for ORDER BY ... LIMIT.
  std::string category;
  /// The output columns c1..cN, as the generator reasons about them (for views on this view).
  std::vector<QueryGenerator::Expr> columns;
  /// The query ends with ORDER BY ... LIMIT.
  bool top_n = false;
  /// False when ties in the ORDER BY leave open which rows make the LIMIT: only the number of
  /// rows is then determined.
  bool rows_determined = true;
};

}  // namespace freshet::sql_tests::differential
