// SPDX-License-Identifier: Apache-2.0
#include "function/system_functions.h"

#include <gtest/gtest.h>

#include "common/error.h"

namespace freshet::function {
namespace {

TEST(SystemFunctionsTest, FormatTypePrintsPostgresNames) {
  EXPECT_EQ(FormatType(23, -1), "integer");
  EXPECT_EQ(FormatType(1043, 24), "character varying(20)");
  EXPECT_EQ(FormatType(1043, -1), "character varying");
  EXPECT_EQ(FormatType(1700, 655366), "numeric(10,2)");
  EXPECT_EQ(FormatType(1700, -1), "numeric");
  EXPECT_EQ(FormatType(1114, -1), "timestamp without time zone");
  EXPECT_EQ(FormatType(1007, -1), "integer[]");
  EXPECT_EQ(FormatType(18, -1), "\"char\"");
  EXPECT_EQ(FormatType(1042, 14), "character(10)");
  EXPECT_EQ(FormatType(99999, -1), "???");
}

TEST(SystemFunctionsTest, PgTypeRowsCarryRealOids) {
  const PgType* int4 = FindPgType(23);
  ASSERT_NE(int4, nullptr);
  EXPECT_EQ(int4->name, "int4");
  EXPECT_EQ(int4->array, 1007u);
  EXPECT_EQ(int4->input.name, "int4in");
  EXPECT_EQ(FindPgProcedure("array_in"), 750u);
  EXPECT_EQ(PgProcedureName(42), "int4in");
  for (const PgType& type : PgTypes()) {
    if (const std::optional<TypeId> id = TypeIdFromOid(type.oid)) {
      EXPECT_EQ(DataType(*id).Oid(), type.oid) << type.name;
    }
  }
}

TEST(SystemFunctionsTest, CastsFollowPgCast) {
  EXPECT_EQ(CanCastObjectId(TypeId::kInteger, TypeId::kOid, CastContext::kImplicit), true);
  EXPECT_EQ(CanCastObjectId(TypeId::kOid, TypeId::kInteger, CastContext::kImplicit), false);
  EXPECT_EQ(CanCastObjectId(TypeId::kOid, TypeId::kBigint, CastContext::kAssignment), true);
  EXPECT_EQ(CanCastObjectId(TypeId::kRegclass, TypeId::kOid, CastContext::kImplicit), true);
  EXPECT_EQ(CanCastObjectId(TypeId::kText, TypeId::kRegclass, CastContext::kImplicit), true);
  EXPECT_EQ(CanCastObjectId(TypeId::kText, TypeId::kRegtype, CastContext::kImplicit), false);
  EXPECT_EQ(CanCastObjectId(TypeId::kRegtype, TypeId::kRegclass, CastContext::kExplicit), false);
  EXPECT_EQ(CanCastObjectId(TypeId::kInteger, TypeId::kText, CastContext::kExplicit), std::nullopt);

  Column integers(DataType::Integer());
  integers.Append<int32_t>(-1);
  Column oids(DataType(TypeId::kOid));
  ASSERT_TRUE(CastObjectIdColumn(integers, DataType(TypeId::kOid), oids, EvaluationContext{}));
  EXPECT_EQ(oids.Data<int64_t>()[0], 4294967295);
  Column big(DataType::Bigint());
  big.Append<int64_t>(-1);
  Column out(DataType(TypeId::kOid));
  EXPECT_THROW(CastObjectIdColumn(big, DataType(TypeId::kOid), out, EvaluationContext{}), Error);
}

TEST(SystemFunctionsTest, SearchPathIsReadLikePostgres) {
  EXPECT_EQ(ParseSearchPath("\"$user\", public", "alice"),
            (std::vector<std::string>{"alice", "public"}));
  EXPECT_EQ(ParseSearchPath("\"a \"\"b\"\"\", x", "alice"),
            (std::vector<std::string>{"a \"b\"", "x"}));
  EXPECT_TRUE(ParseSearchPath("", "alice").empty());
}

TEST(SystemFunctionsTest, InterruptsReportStatementTimeout) {
  EvaluationContext context;
  context.statement_deadline = 1;  // long past
  try {
    CheckInterrupts(context);
    FAIL();
  } catch (const Error& error) {
    EXPECT_EQ(error.State(), SqlState::kQueryCanceled);
    EXPECT_EQ(error.Message(), "canceling statement due to statement timeout");
  }
  EXPECT_TRUE(VersionString().starts_with("PostgreSQL 15."));
}

}  // namespace
}  // namespace freshet::function
