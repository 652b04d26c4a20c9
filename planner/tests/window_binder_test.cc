// SPDX-License-Identifier: Apache-2.0
#include "planner/window_binder.h"

#include <gtest/gtest.h>

#include "common/error.h"
#include "parser/parser.h"
#include "planner/binder.h"

namespace freshet::planner {
namespace {

// bids (auction, bidder, price, date_time TIMESTAMP) with a watermark, and t (id, at TIMESTAMPTZ,
// d DATE) without one.
std::shared_ptr<const catalog::CatalogSnapshot> MakeCatalog() {
  auto bids = std::make_shared<catalog::Relation>();
  bids->id = catalog::kFirstUserObjectId;
  bids->kind = catalog::RelationKind::kSource;
  bids->name = "bids";
  bids->columns = {{"auction", DataType::Bigint(), false},
                   {"bidder", DataType::Text(), false},
                   {"price", DataType::Bigint(), false},
                   {"date_time", DataType::Timestamp(), false}};
  bids->watermark = catalog::WatermarkSpec{3, 5'000'000, 0};
  auto t = std::make_shared<catalog::Relation>();
  t->id = catalog::kFirstUserObjectId + 1;
  t->name = "t";
  t->columns = {{"id", DataType::Integer(), false},
                {"at", DataType(TypeId::kTimestamptz), false},
                {"d", DataType(TypeId::kDate), false}};
  std::map<catalog::ObjectId, std::shared_ptr<const catalog::Relation>> relations;
  relations[bids->id] = bids;
  relations[t->id] = t;
  return std::make_shared<const catalog::CatalogSnapshot>(1, std::move(relations));
}

class WindowBinderTest : public ::testing::Test {
 protected:
  plan::BatchNodePtr Bind(std::string_view sql) {
    std::vector<ast::StatementPtr> statements = parser::Parse(sql);
    EXPECT_EQ(statements.size(), 1u);
    const auto& select = static_cast<const ast::SelectStatement&>(*statements[0]);
    Binder binder(catalog_, context_);
    return binder.BindQuery(*select.select);
  }

  /// Binds `sql`, which must fail; returns the error.
  Error BindError(std::string_view sql) {
    try {
      Bind(sql);
    } catch (const Error& error) {
      return error;
    }
    ADD_FAILURE() << "no error for " << sql;
    return Error(SqlState::kInternalError, "no error");
  }

  /// The 1-based position of the first occurrence of `needle` in `sql`.
  static int32_t PositionOf(std::string_view sql, std::string_view needle) {
    return static_cast<int32_t>(sql.find(needle) + 1);
  }

  std::shared_ptr<const catalog::CatalogSnapshot> catalog_ = MakeCatalog();
  function::EvaluationContext context_;
};

std::vector<std::string> OutputNames(const plan::BatchNode& node) {
  std::vector<std::string> names;
  for (const plan::OutputColumn& output : node.outputs) {
    names.push_back(output.name);
  }
  return names;
}

TEST_F(WindowBinderTest, TumbleIsAHopWhoseSlideIsItsSize) {
  plan::BatchNodePtr root = Bind("SELECT * FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND)");
  EXPECT_EQ(root->ToString(),
            "Project $0, $1, $2, $3, $4, $5\n"
            "  Tumble $3 size 00:00:10\n"
            "    TableScan bids\n");
  EXPECT_EQ(OutputNames(*root), (std::vector<std::string>{"auction", "bidder", "price", "date_time",
                                                          "window_start", "window_end"}));
  EXPECT_EQ(root->outputs[4].type, DataType::Timestamp());
  const auto& hop = static_cast<const plan::HopWindowNode&>(*root->input);
  EXPECT_EQ(hop.size_micros, 10'000'000);
  EXPECT_EQ(hop.slide_micros, 10'000'000);
  EXPECT_EQ(hop.offset_micros, 0);
}

TEST_F(WindowBinderTest, HopTakesSlideThenSizeThenOffset) {
  plan::BatchNodePtr root = Bind(
      "SELECT window_start FROM HOP(bids, date_time, INTERVAL '2' SECOND, INTERVAL '1' DAY, "
      "INTERVAL '1' SECOND)");
  EXPECT_EQ(root->input->ToString(),
            "HopWindow $3 slide 00:00:02 size 1 day offset 00:00:01\n"
            "  TableScan bids\n");
}

TEST_F(WindowBinderTest, FlinkSpellingBindsLikeRisingWaves) {
  EXPECT_EQ(Bind("SELECT * FROM TUMBLE(TABLE bids, DESCRIPTOR(date_time), INTERVAL '10' SECOND)")
                ->ToString(),
            Bind("SELECT * FROM TUMBLE(bids, date_time, INTERVAL '10' SECOND)")->ToString());
  EXPECT_EQ(
      Bind("SELECT * FROM HOP(TABLE bids, DESCRIPTOR(date_time), INTERVAL '1' SECOND, INTERVAL "
           "'3' SECOND)")
          ->input->ToString(),
      "HopWindow $3 slide 00:00:01 size 00:00:03\n  TableScan bids\n");
}

TEST_F(WindowBinderTest, FunctionNamesIgnoreCase) {
  EXPECT_TRUE(internal::IsWindowTableFunction("late_events"));
  EXPECT_FALSE(internal::IsWindowTableFunction("generate_series"));
  EXPECT_NO_THROW(Bind("SELECT * FROM tumble(bids, date_time, INTERVAL '1' SECOND)"));
  EXPECT_NO_THROW(
      Bind("SELECT * FROM Hop(bids, date_time, INTERVAL '1' SECOND, INTERVAL '2' SECOND)"));
  EXPECT_NO_THROW(Bind("SELECT * FROM SeSsIoN(bids, date_time, INTERVAL '1' SECOND)"));
}

TEST_F(WindowBinderTest, WindowColumnsAreQualifiedByAliasOrRelationName) {
  plan::BatchNodePtr aliased = Bind(
      "SELECT w.ws, w.ws2 FROM TUMBLE(t, at, '1 hour') AS w(a, b, c, ws, ws2) WHERE "
      "w.ws < w.ws2");
  EXPECT_EQ(OutputNames(*aliased), (std::vector<std::string>{"ws", "ws2"}));
  EXPECT_EQ(aliased->outputs[0].type, DataType(TypeId::kTimestamptz));
  Bind("SELECT bids.price, bids.window_end FROM TUMBLE(bids, date_time, INTERVAL '1' MINUTE)");
  const Error error =
      BindError("SELECT bids.price FROM TUMBLE(bids, date_time, INTERVAL '1' MINUTE) AS w");
  EXPECT_EQ(error.State(), SqlState::kUndefinedTable);
}

TEST_F(WindowBinderTest, TooManyColumnAliasesAreRejected) {
  const Error error = BindError("SELECT * FROM TUMBLE(t, at, '1 hour') AS w(a, b, c, d, e, f)");
  EXPECT_EQ(error.State(), SqlState::kInvalidColumnReference);
  EXPECT_EQ(error.Message(), "table \"w\" has 5 columns available but 6 columns specified");
}

TEST_F(WindowBinderTest, WithQueriesCanBeWindowed) {
  plan::BatchNodePtr root = Bind(
      "WITH c(ts, p) AS (SELECT date_time, price FROM bids) "
      "SELECT c.p, window_end FROM TUMBLE(c, ts, INTERVAL '5' MINUTE)");
  EXPECT_EQ(OutputNames(*root), (std::vector<std::string>{"p", "window_end"}));
}

TEST_F(WindowBinderTest, TimeColumnMustBeATimestamp) {
  const std::string sql = "SELECT * FROM TUMBLE(t, id, INTERVAL '1' SECOND)";
  Error error = BindError(sql);
  EXPECT_EQ(error.State(), SqlState::kDatatypeMismatch);
  EXPECT_EQ(error.Message(),
            "time column \"id\" of TUMBLE must be type timestamp or timestamp with time zone, not "
            "type integer");
  EXPECT_EQ(error.Position(), PositionOf(sql, "id,"));
  error = BindError("SELECT * FROM SESSION(t, d, INTERVAL '1' SECOND)");
  EXPECT_EQ(error.State(), SqlState::kDatatypeMismatch);
  EXPECT_NE(error.Message().find("not type date"), std::string::npos);

  const std::string missing =
      "SELECT * FROM HOP(t, nope, INTERVAL '1' SECOND, INTERVAL '2' SECOND)";
  error = BindError(missing);
  EXPECT_EQ(error.State(), SqlState::kUndefinedColumn);
  EXPECT_EQ(error.Position(), PositionOf(missing, "nope"));

  error = BindError("SELECT * FROM TUMBLE(t, at + INTERVAL '1' SECOND, INTERVAL '1' SECOND)");
  EXPECT_EQ(error.State(), SqlState::kFeatureNotSupported);
}

TEST_F(WindowBinderTest, SizesMustBePositiveConstantIntervalsWithoutMonths) {
  struct Case {
    std::string sql;
    SqlState state;
    std::string message;
    std::string at;
  };
  const std::vector<Case> cases = {
      {"SELECT * FROM TUMBLE(t, at, INTERVAL '0' SECOND)", SqlState::kInvalidParameterValue,
       "window size must be positive", "INTERVAL"},
      {"SELECT * FROM TUMBLE(t, at, INTERVAL '-5' MINUTE)", SqlState::kInvalidParameterValue,
       "window size must be positive", "INTERVAL"},
      {"SELECT * FROM TUMBLE(t, at, INTERVAL '1' MONTH)", SqlState::kFeatureNotSupported,
       "window size of TUMBLE cannot contain months or years", "INTERVAL"},
      {"SELECT * FROM TUMBLE(t, at, 10)", SqlState::kDatatypeMismatch,
       "window size of TUMBLE must be type interval, not type integer", "10"},
      {"SELECT * FROM TUMBLE(t, at, NULL)", SqlState::kNullValueNotAllowed,
       "window size of TUMBLE must not be null", "NULL"},
      {"SELECT * FROM TUMBLE(t, at, clock_timestamp() - now())", SqlState::kFeatureNotSupported,
       "window size of TUMBLE must be a constant", "- now()"},
      {"SELECT * FROM TUMBLE(t, at, at - at)", SqlState::kUndefinedColumn,
       "column \"at\" does not exist", "at - at"},
      {"SELECT * FROM HOP(t, at, INTERVAL '0' SECOND, INTERVAL '1' SECOND)",
       SqlState::kInvalidParameterValue, "window slide must be positive", "INTERVAL '0'"},
      {"SELECT * FROM HOP(t, at, INTERVAL '3' SECOND, INTERVAL '10' SECOND)",
       SqlState::kInvalidParameterValue,
       "window size 00:00:10 must be a multiple of the window slide 00:00:03", "INTERVAL '10'"},
      {"SELECT * FROM HOP(t, at, INTERVAL '1' SECOND, INTERVAL '1' SECOND, INTERVAL '1' YEAR)",
       SqlState::kFeatureNotSupported, "window offset of HOP cannot contain months or years",
       "INTERVAL '1' YEAR"},
      {"SELECT * FROM SESSION(t, at, INTERVAL '0' SECOND)", SqlState::kInvalidParameterValue,
       "session gap must be positive", "INTERVAL"},
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.sql);
    const Error error = BindError(test.sql);
    EXPECT_EQ(error.State(), test.state);
    EXPECT_EQ(error.Message(), test.message);
    EXPECT_EQ(error.Position(), PositionOf(test.sql, test.at));
  }
}

TEST_F(WindowBinderTest, OffsetsMayBeNegativeAndAnyLength) {
  EXPECT_EQ(Bind("SELECT * FROM TUMBLE(t, at, INTERVAL '1' HOUR, INTERVAL '-90' MINUTE)")
                ->input->ToString(),
            "Tumble $1 size 01:00:00 offset -01:30:00\n  TableScan t\n");
}

TEST_F(WindowBinderTest, SessionKeysAreColumns) {
  EXPECT_EQ(Bind("SELECT * FROM SESSION(bids, date_time, INTERVAL '30' SECOND, bidder, auction)")
                ->input->ToString(),
            "Session $3 gap 00:00:30 by $1, $0\n  TableScan bids\n");
  const std::string sql = "SELECT * FROM SESSION(bids, date_time, INTERVAL '30' SECOND, missing)";
  const Error error = BindError(sql);
  EXPECT_EQ(error.State(), SqlState::kUndefinedColumn);
  EXPECT_EQ(error.Position(), PositionOf(sql, "missing"));
}

TEST_F(WindowBinderTest, FirstArgumentMustNameARelation) {
  const std::string missing = "SELECT * FROM TUMBLE(nope, ts, INTERVAL '1' SECOND)";
  Error error = BindError(missing);
  EXPECT_EQ(error.State(), SqlState::kUndefinedTable);
  EXPECT_EQ(error.Position(), PositionOf(missing, "nope"));
  error = BindError("SELECT * FROM TUMBLE('bids', date_time, INTERVAL '1' SECOND)");
  EXPECT_EQ(error.State(), SqlState::kFeatureNotSupported);
  EXPECT_EQ(error.Message(), "first argument of TUMBLE must be the name of a relation");
}

TEST_F(WindowBinderTest, WrongArgumentCountsAreUndefinedFunctions) {
  const std::string sql = "SELECT * FROM TUMBLE(bids, date_time)";
  Error error = BindError(sql);
  EXPECT_EQ(error.State(), SqlState::kUndefinedFunction);
  EXPECT_EQ(error.Message(), "function tumble with 2 arguments does not exist");
  EXPECT_EQ(error.Hint(), "TUMBLE takes (relation, time column, size [, offset]).");
  EXPECT_EQ(error.Position(), PositionOf(sql, "TUMBLE"));
  error = BindError("SELECT * FROM LATE_EVENTS(bids, t)");
  EXPECT_EQ(error.State(), SqlState::kUndefinedFunction);
}

TEST_F(WindowBinderTest, OtherTableFunctionsAreStillUnsupported) {
  const Error error = BindError("SELECT * FROM generate_series(1, 3)");
  EXPECT_EQ(error.State(), SqlState::kFeatureNotSupported);
  EXPECT_EQ(error.Message(), "table function generate_series is not supported yet");
}

TEST_F(WindowBinderTest, LateEventsScanTheRelationWithItsWatermark) {
  plan::BatchNodePtr root = Bind("SELECT * FROM LATE_EVENTS(bids) AS l");
  ASSERT_EQ(root->input->kind, plan::BatchNodeKind::kTableScan);
  const auto& scan = static_cast<const plan::TableScanNode&>(*root->input);
  EXPECT_TRUE(scan.late_events);
  EXPECT_EQ(scan.ToString(), "TableScan LATE_EVENTS(bids)\n");
  EXPECT_EQ(OutputNames(*root),
            (std::vector<std::string>{"auction", "bidder", "price", "date_time", "_watermark"}));
  EXPECT_EQ(root->outputs[4].type, DataType::Timestamp());

  const std::string sql = "SELECT * FROM LATE_EVENTS(t)";
  const Error error = BindError(sql);
  EXPECT_EQ(error.State(), SqlState::kFeatureNotSupported);
  EXPECT_EQ(error.Message(), "relation \"t\" has no watermark");
  EXPECT_EQ(error.Position(), PositionOf(sql, "t)"));
}

}  // namespace
}  // namespace freshet::planner
