// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

// The owned abstract syntax tree the parser produces. Plain data: no ANTLR type appears here, and
// nothing here knows about catalogs. Every node records the 1-based character position where it
// starts in the statement text (0 when unknown), so later errors can point at it. As in PostgreSQL,
// an operator node (Binary, `x::t`, IS, IN, LIKE, BETWEEN) records the position of its operator
// instead, so `operator does not exist` points at the `+`.
namespace freshet::ast {

/// What kind of expression node an Expression is; used to switch instead of casting blindly.
enum class ExpressionKind : uint8_t {
  kLiteral,
  kColumnRef,
  kStar,
  kParameter,
  kUnary,
  kBinary,
  kFunctionCall,
  kCast,
  kIsNull,
  kIsBoolean,
  kBetween,
  kInList,
  kLike,
  kCase,
  kSubquery,
  kArray,
  kSubscript,
};

struct Expression;
struct Select;
using ExpressionPtr = std::unique_ptr<Expression>;

/// A type as written: lower-case canonical name ("integer", "double precision", "character
/// varying", "timestamp with time zone"), modifiers, and whether it is an array (`int[]`).
struct TypeName {
  std::string name;
  std::vector<int32_t> modifiers;
  bool is_array = false;
  int32_t position = 0;
};

/// Base of every expression node.
struct Expression {
  explicit Expression(ExpressionKind expression_kind, int32_t start = 0)
      : kind(expression_kind), position(start) {}
  virtual ~Expression() = default;
  Expression(const Expression&) = delete;
  Expression& operator=(const Expression&) = delete;

  ExpressionKind kind;
  int32_t position;
};

/// A constant. Numbers keep their text so the binder can choose INTEGER, BIGINT or NUMERIC as
/// Postgres does.
struct Literal final : Expression {
  enum class Type : uint8_t { kNull, kBoolean, kInteger, kDecimal, kString, kTyped, kInterval };
  Literal() : Expression(ExpressionKind::kLiteral) {}
  Type type = Type::kNull;
  bool boolean = false;
  /// Digits of kInteger / kDecimal, contents of kString / kTyped / kInterval (escapes resolved).
  std::string text;
  /// kTyped: the type of `DATE '2024-01-01'`, `TIMESTAMP '...'`.
  TypeName typed;
  /// kInterval: the unit qualifier of `INTERVAL '5' SECOND` ("second", "minute", "day to second",
  /// ...), or empty.
  std::string interval_unit;
};

/// A possibly qualified column name: `a`, `t.a`, `s.t.a`.
struct ColumnRef final : Expression {
  ColumnRef() : Expression(ExpressionKind::kColumnRef) {}
  std::vector<std::string> names;
};

/// `*` or `t.*` in a select list.
struct Star final : Expression {
  Star() : Expression(ExpressionKind::kStar) {}
  std::optional<std::string> qualifier;
};

/// `$1` in the extended query protocol.
struct Parameter final : Expression {
  Parameter() : Expression(ExpressionKind::kParameter) {}
  int32_t index = 0;
};

/// A prefix operator: "-", "+", "not".
struct Unary final : Expression {
  Unary() : Expression(ExpressionKind::kUnary) {}
  std::string op;
  ExpressionPtr operand;
};

/// An infix operator, spelled in lower case: "+", "-", "*", "/", "%", "^", "=", "<>", "<", "<=",
/// ">", ">=", "and", "or", "||", "~", "!~", "~*", "!~*", "->", "->>", "#>", "#>>", "is distinct
/// from", "is not distinct from". A comparison with an array, `x = ANY (array)`, is
/// the comparison followed by " any" or " all" ("= any", "<> all"); the subquery form is a Subquery
/// node instead.
struct Binary final : Expression {
  Binary() : Expression(ExpressionKind::kBinary) {}
  std::string op;
  ExpressionPtr left;
  ExpressionPtr right;
};

/// One item of ORDER BY, also used inside aggregate calls and window specifications.
struct OrderItem {
  ExpressionPtr expression;
  bool descending = false;
  /// Unset means the default: NULLS LAST for ASC, NULLS FIRST for DESC.
  std::optional<bool> nulls_first;
};

/// `OVER (PARTITION BY ... ORDER BY ...)` of a window function call.
struct WindowSpec {
  std::vector<ExpressionPtr> partition_by;
  std::vector<OrderItem> order_by;
};

/// A function call `name(args)`; also the target of special syntaxes: EXTRACT(f FROM x) is
/// extract('f', x) (as in Postgres 14+), x AT TIME ZONE z is timezone(z, x), SUBSTRING(x FROM a
/// FOR b) is substring(x, a, b),
/// POSITION(a IN b) is position(a, b), TRIM(BOTH c FROM x) is btrim(x, c), CURRENT_TIMESTAMP is
/// current_timestamp(), COALESCE, NULLIF, GREATEST and LEAST.
struct FunctionCall final : Expression {
  FunctionCall() : Expression(ExpressionKind::kFunctionCall) {}
  /// Lower-case name, possibly schema-qualified ("pg_catalog.format_type" keeps the schema in
  /// `schema`).
  std::string name;
  std::string schema;
  std::vector<ExpressionPtr> arguments;
  bool distinct = false;
  /// `count(*)`.
  bool star = false;
  std::vector<OrderItem> order_by;
  ExpressionPtr filter;
  std::unique_ptr<WindowSpec> over;
};

/// `CAST(x AS t)` and `x::t`.
struct Cast final : Expression {
  Cast() : Expression(ExpressionKind::kCast) {}
  ExpressionPtr operand;
  TypeName type;
};

/// `x IS [NOT] NULL`.
struct IsNull final : Expression {
  IsNull() : Expression(ExpressionKind::kIsNull) {}
  ExpressionPtr operand;
  bool negated = false;
};

/// `x IS [NOT] TRUE | FALSE | UNKNOWN`.
struct IsBoolean final : Expression {
  enum class Test : uint8_t { kTrue, kFalse, kUnknown };
  IsBoolean() : Expression(ExpressionKind::kIsBoolean) {}
  ExpressionPtr operand;
  Test test = Test::kTrue;
  bool negated = false;
};

/// `x [NOT] BETWEEN [SYMMETRIC] low AND high`.
struct Between final : Expression {
  Between() : Expression(ExpressionKind::kBetween) {}
  ExpressionPtr operand;
  ExpressionPtr low;
  ExpressionPtr high;
  bool negated = false;
  bool symmetric = false;
};

/// `x [NOT] IN (a, b, c)`.
struct InList final : Expression {
  InList() : Expression(ExpressionKind::kInList) {}
  ExpressionPtr operand;
  std::vector<ExpressionPtr> list;
  bool negated = false;
};

/// `x [NOT] LIKE | ILIKE pattern [ESCAPE e]`.
struct Like final : Expression {
  Like() : Expression(ExpressionKind::kLike) {}
  ExpressionPtr operand;
  ExpressionPtr pattern;
  ExpressionPtr escape;
  bool negated = false;
  bool case_insensitive = false;
};

/// `CASE [operand] WHEN ... THEN ... [ELSE ...] END`.
struct Case final : Expression {
  Case() : Expression(ExpressionKind::kCase) {}
  ExpressionPtr operand;
  std::vector<std::pair<ExpressionPtr, ExpressionPtr>> when_then;
  ExpressionPtr else_result;
};

/// A subquery used as an expression: scalar `(SELECT ...)`, `EXISTS (...)`, `x [NOT] IN (SELECT
/// ...)`, `x op ANY|ALL (SELECT ...)`.
struct Subquery final : Expression {
  enum class Type : uint8_t { kScalar, kExists, kIn, kAny, kAll };
  Subquery() : Expression(ExpressionKind::kSubquery) {}
  Type type = Type::kScalar;
  std::unique_ptr<Select> select;
  ExpressionPtr operand;
  /// The comparison of kAny / kAll.
  std::string op;
  bool negated = false;
};

/// `ARRAY[a, b]`.
struct Array final : Expression {
  Array() : Expression(ExpressionKind::kArray) {}
  std::vector<ExpressionPtr> elements;
};

/// `x[i]`.
struct Subscript final : Expression {
  Subscript() : Expression(ExpressionKind::kSubscript) {}
  ExpressionPtr operand;
  ExpressionPtr index;
};

// ---------------------------------------------------------------------------------------------------------
// FROM clause

/// What kind of FROM item a TableRef is.
enum class TableRefKind : uint8_t { kBaseTable, kJoin, kSubquery, kTableFunction, kValues };

struct TableRef {
  explicit TableRef(TableRefKind table_ref_kind, int32_t start = 0)
      : kind(table_ref_kind), position(start) {}
  virtual ~TableRef() = default;
  TableRef(const TableRef&) = delete;
  TableRef& operator=(const TableRef&) = delete;

  TableRefKind kind;
  int32_t position;
  std::string alias;
  /// Column aliases: `AS t(a, b)`.
  std::vector<std::string> column_aliases;
};
using TableRefPtr = std::unique_ptr<TableRef>;

/// A named relation, possibly schema-qualified.
struct BaseTable final : TableRef {
  BaseTable() : TableRef(TableRefKind::kBaseTable) {}
  std::string schema;
  std::string name;
};

/// `left [INNER|LEFT|RIGHT|FULL|CROSS] JOIN right [ON cond | USING (cols)]`; NATURAL too.
struct Join final : TableRef {
  enum class Type : uint8_t { kInner, kLeft, kRight, kFull, kCross };
  Join() : TableRef(TableRefKind::kJoin) {}
  Type type = Type::kInner;
  TableRefPtr left;
  TableRefPtr right;
  ExpressionPtr condition;
  std::vector<std::string> using_columns;
  bool natural = false;
};

/// `(SELECT ...) AS alias`.
struct SubqueryRef final : TableRef {
  SubqueryRef() : TableRef(TableRefKind::kSubquery) {}
  std::unique_ptr<Select> select;
};

/// A function in FROM: `TUMBLE(bids, date_time, INTERVAL '10' SECOND)`, `generate_series(1, 3)`,
/// `LATE_EVENTS(bids)`. Flink's `TABLE bids` and `DESCRIPTOR(date_time)` arguments arrive as a
/// ColumnRef of the table and a ColumnRef of the column, with `flink_spelling` set.
struct TableFunction final : TableRef {
  TableFunction() : TableRef(TableRefKind::kTableFunction) {}
  std::string name;
  std::vector<ExpressionPtr> arguments;
  bool flink_spelling = false;
};

/// `(VALUES (1, 'a'), (2, 'b')) AS t(x, y)`.
struct ValuesRef final : TableRef {
  ValuesRef() : TableRef(TableRefKind::kValues) {}
  std::vector<std::vector<ExpressionPtr>> rows;
};

// ---------------------------------------------------------------------------------------------------------
// Queries

/// One item of a select list: an expression with an optional alias.
struct SelectItem {
  ExpressionPtr expression;
  std::string alias;
};

/// A common table expression of WITH.
struct CommonTableExpression {
  std::string name;
  std::vector<std::string> column_aliases;
  std::unique_ptr<Select> select;
};

/// A query: one SELECT block, a VALUES list, or a set operation of two queries, with the clauses
/// that apply to the whole (WITH, ORDER BY, LIMIT, OFFSET).
struct Select {
  enum class SetOperation : uint8_t { kNone, kUnion, kIntersect, kExcept };
  int32_t position = 0;

  std::vector<CommonTableExpression> with;

  // A set operation: when set_operation != kNone, `left` and `right` hold the operands and the
  // block fields are unused.
  SetOperation set_operation = SetOperation::kNone;
  bool set_all = false;
  std::unique_ptr<Select> left;
  std::unique_ptr<Select> right;

  // A VALUES list standing as a query.
  std::vector<std::vector<ExpressionPtr>> values;

  // A SELECT block.
  bool distinct = false;
  std::vector<ExpressionPtr> distinct_on;
  std::vector<SelectItem> items;
  std::vector<TableRefPtr> from;
  ExpressionPtr where;
  std::vector<ExpressionPtr> group_by;
  ExpressionPtr having;
  /// `EMIT ON WINDOW CLOSE` after the query of a materialized view or sink.
  bool emit_on_window_close = false;

  std::vector<OrderItem> order_by;
  ExpressionPtr limit;
  ExpressionPtr offset;
};

// ---------------------------------------------------------------------------------------------------------
// Statements

/// What kind of statement a Statement is.
enum class StatementKind : uint8_t {
  kSelect,
  kInsert,
  kUpdate,
  kDelete,
  kCreateTable,
  kCreateSource,
  kCreateMaterializedView,
  kCreateSink,
  kDrop,
  kShow,
  kSet,
  kTransaction,
  kFlush,
  kExplain,
  kDescribe,
};

struct Statement {
  explicit Statement(StatementKind statement_kind) : kind(statement_kind) {}
  virtual ~Statement() = default;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  StatementKind kind;
  /// 1-based position of the first character of the statement in the whole query string.
  int32_t position = 0;
  /// The statement's own text, without the terminating semicolon (stored for view definitions).
  std::string text;
};
using StatementPtr = std::unique_ptr<Statement>;

/// `key = value` in WITH (...) options; keys may be dotted (`properties.bootstrap.server`).
struct Option {
  std::string key;
  std::string value;
  int32_t position = 0;
};

/// `SELECT ...` (or VALUES / a set operation) as a statement.
struct SelectStatement final : Statement {
  SelectStatement() : Statement(StatementKind::kSelect) {}
  std::unique_ptr<Select> select;
};

/// `INSERT INTO t [(cols)] VALUES ... | SELECT ...`.
struct Insert final : Statement {
  Insert() : Statement(StatementKind::kInsert) {}
  std::string schema;
  std::string table;
  int32_t table_position = 0;
  std::vector<std::string> columns;
  std::unique_ptr<Select> source;
};

/// `UPDATE t SET a = x, ... [WHERE ...]`.
struct Update final : Statement {
  Update() : Statement(StatementKind::kUpdate) {}
  std::string schema;
  std::string table;
  int32_t table_position = 0;
  std::vector<std::pair<std::string, ExpressionPtr>> assignments;
  ExpressionPtr where;
};

/// `DELETE FROM t [WHERE ...]`.
struct Delete final : Statement {
  Delete() : Statement(StatementKind::kDelete) {}
  std::string schema;
  std::string table;
  int32_t table_position = 0;
  ExpressionPtr where;
};

/// A column of CREATE TABLE / CREATE SOURCE.
struct ColumnDefinition {
  std::string name;
  TypeName type;
  bool not_null = false;
  bool primary_key = false;
  ExpressionPtr default_value;
  int32_t position = 0;
};

/// `WATERMARK FOR col AS expr [WITH LATENESS INTERVAL ...]`.
struct WatermarkDefinition {
  std::string column;
  ExpressionPtr expression;
  ExpressionPtr lateness;
  int32_t position = 0;
};

/// `INCLUDE partition | offset | timestamp | key [AS name]` of a Kafka source or table.
struct IncludeColumn {
  std::string what;
  std::string alias;
};

/// `FORMAT PLAIN | UPSERT | DEBEZIUM ENCODE JSON | CSV [(options)]`.
struct FormatSpec {
  std::string format;
  std::string encode;
  std::vector<Option> options;
};

/// `CREATE TABLE [IF NOT EXISTS] t (cols, [PRIMARY KEY (...)], [WATERMARK ...]) [INCLUDE ...]
/// [APPEND ONLY] [WITH (...)] [FORMAT ...]`, also `CREATE TABLE t AS SELECT ...`.
struct CreateTable final : Statement {
  CreateTable() : Statement(StatementKind::kCreateTable) {}
  std::string schema;
  std::string name;
  int32_t name_position = 0;
  bool if_not_exists = false;
  std::vector<ColumnDefinition> columns;
  std::vector<std::string> primary_key;
  std::optional<WatermarkDefinition> watermark;
  std::vector<IncludeColumn> include;
  bool append_only = false;
  std::vector<Option> with;
  std::optional<FormatSpec> format;
  std::unique_ptr<Select> as_select;
};

/// `CREATE SOURCE [IF NOT EXISTS] s (cols, [WATERMARK ...]) [INCLUDE ...] WITH (...) [FORMAT ...]`.
struct CreateSource final : Statement {
  CreateSource() : Statement(StatementKind::kCreateSource) {}
  std::string name;
  int32_t name_position = 0;
  bool if_not_exists = false;
  std::vector<ColumnDefinition> columns;
  std::optional<WatermarkDefinition> watermark;
  std::vector<IncludeColumn> include;
  std::vector<Option> with;
  std::optional<FormatSpec> format;
};

/// `CREATE MATERIALIZED VIEW [IF NOT EXISTS] v [WITH (...)] AS query` (the query may end in
/// EMIT ON WINDOW CLOSE); `CREATE VIEW` sets `materialized` false.
struct CreateMaterializedView final : Statement {
  CreateMaterializedView() : Statement(StatementKind::kCreateMaterializedView) {}
  std::string name;
  int32_t name_position = 0;
  bool if_not_exists = false;
  bool materialized = true;
  /// `CREATE VIEW v (a, b) AS ...`: names for the query's columns.
  std::vector<std::string> column_aliases;
  std::vector<Option> with;
  std::unique_ptr<Select> query;
};

/// `CREATE SINK [IF NOT EXISTS] k FROM v | AS query WITH (...) FORMAT ...`.
struct CreateSink final : Statement {
  CreateSink() : Statement(StatementKind::kCreateSink) {}
  std::string name;
  int32_t name_position = 0;
  bool if_not_exists = false;
  std::string from;
  std::unique_ptr<Select> query;
  std::vector<Option> with;
  std::optional<FormatSpec> format;
};

/// What DROP / SHOW / DESCRIBE name.
enum class ObjectKind : uint8_t {
  kTable,
  kSource,
  kMaterializedView,
  kView,
  kSink,
  kIndex,
  kSchema
};

/// `DROP TABLE | SOURCE | MATERIALIZED VIEW | VIEW | SINK [IF EXISTS] name [, ...] [CASCADE |
/// RESTRICT]`.
struct Drop final : Statement {
  Drop() : Statement(StatementKind::kDrop) {}
  ObjectKind object = ObjectKind::kTable;
  std::vector<std::string> names;
  std::vector<int32_t> name_positions;
  bool if_exists = false;
  bool cascade = false;
};

/// `SHOW TABLES | SOURCES | MATERIALIZED VIEWS | SINKS` (`object` set) or `SHOW name` / `SHOW ALL`
/// (`variable` set, lower case, "all" for SHOW ALL; "transaction isolation level" for that phrase).
struct Show final : Statement {
  Show() : Statement(StatementKind::kShow) {}
  std::optional<ObjectKind> object;
  std::string variable;
};

/// `SET [SESSION | LOCAL] name = | TO value [, ...]`, `SET TIME ZONE value`, `RESET name`,
/// `SET SESSION CHARACTERISTICS AS TRANSACTION ...` (variable "session characteristics").
struct Set final : Statement {
  Set() : Statement(StatementKind::kSet) {}
  std::string variable;
  /// Each value as text; `DEFAULT` and RESET leave it empty with `reset` set.
  std::vector<std::string> values;
  bool reset = false;
  bool local = false;
};

/// `BEGIN | START TRANSACTION [modes]`, `COMMIT | END`, `ROLLBACK | ABORT`.
struct Transaction final : Statement {
  enum class Type : uint8_t { kBegin, kCommit, kRollback };
  Transaction() : Statement(StatementKind::kTransaction) {}
  Type type = Type::kBegin;
};

/// `FLUSH`.
struct Flush final : Statement {
  Flush() : Statement(StatementKind::kFlush) {}
};

/// `EXPLAIN statement`.
struct Explain final : Statement {
  Explain() : Statement(StatementKind::kExplain) {}
  StatementPtr statement;
};

/// `DESCRIBE name`.
struct Describe final : Statement {
  Describe() : Statement(StatementKind::kDescribe) {}
  std::string name;
  int32_t name_position = 0;
};

}  // namespace freshet::ast
