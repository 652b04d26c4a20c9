// SPDX-License-Identifier: Apache-2.0
#include "engine/catalog_query_shim.h"

#include <cctype>
#include <string>

namespace freshet::engine {
namespace {

// The queries, from psql 15.18 (`psql -E`, describe.c), with runs of whitespace as one space and
// the table's OID as '?'.
struct KnownQuery {
  std::string_view text;
  std::vector<plan::OutputColumn> columns;
};

const std::vector<KnownQuery>& KnownQueries() {
  static const std::vector<KnownQuery> queries = [] {
    const DataType text = DataType::Text();
    const DataType boolean = DataType::Boolean();
    std::vector<KnownQuery> known;
    known.push_back(
        {"SELECT pol.polname, pol.polpermissive, CASE WHEN pol.polroles = '{0}' THEN NULL ELSE "
         "pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = "
         "any (pol.polroles) order by 1),',') END, pg_catalog.pg_get_expr(pol.polqual, "
         "pol.polrelid), pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid), CASE "
         "pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' WHEN 'w' THEN 'UPDATE' WHEN "
         "'d' THEN 'DELETE' END AS cmd FROM pg_catalog.pg_policy pol WHERE pol.polrelid = '?' "
         "ORDER BY 1;",
         {{"polname", text, 3256, 2},
          {"polpermissive", boolean, 3256, 5},
          {"array_to_string", text, 0, 0},
          {"pg_get_expr", text, 0, 0},
          {"pg_get_expr", text, 0, 0},
          {"cmd", text, 0, 0}}});
    known.push_back(
        {"SELECT oid, stxrelid::pg_catalog.regclass, "
         "stxnamespace::pg_catalog.regnamespace::pg_catalog.text AS nsp, stxname, "
         "pg_catalog.pg_get_statisticsobjdef_columns(oid) AS columns, 'd' = any(stxkind) AS "
         "ndist_enabled, 'f' = any(stxkind) AS deps_enabled, 'm' = any(stxkind) AS "
         "mcv_enabled, stxstattarget FROM pg_catalog.pg_statistic_ext WHERE stxrelid = '?' "
         "ORDER BY nsp, stxname;",
         {{"oid", DataType(TypeId::kOid), 3381, 1},
          {"stxrelid", DataType(TypeId::kRegclass), 0, 0},
          {"nsp", text, 0, 0},
          {"stxname", text, 3381, 3},
          {"columns", text, 0, 0},
          {"ndist_enabled", boolean, 0, 0},
          {"deps_enabled", boolean, 0, 0},
          {"mcv_enabled", boolean, 0, 0},
          {"stxstattarget", DataType::Integer(), 3381, 6}}});
    known.push_back(
        {"SELECT pubname , NULL , NULL FROM pg_catalog.pg_publication p JOIN "
         "pg_catalog.pg_publication_namespace pn ON p.oid = pn.pnpubid JOIN pg_catalog.pg_class "
         "pc ON pc.relnamespace = pn.pnnspid WHERE pc.oid ='?' and "
         "pg_catalog.pg_relation_is_publishable('?') UNION SELECT pubname , "
         "pg_get_expr(pr.prqual, c.oid) , (CASE WHEN pr.prattrs IS NOT NULL THEN (SELECT "
         "string_agg(attname, ', ') FROM pg_catalog.generate_series(0, "
         "pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s, pg_catalog.pg_attribute "
         "WHERE attrelid = pr.prrelid AND attnum = prattrs[s]) ELSE NULL END) FROM "
         "pg_catalog.pg_publication p JOIN pg_catalog.pg_publication_rel pr ON p.oid = "
         "pr.prpubid JOIN pg_catalog.pg_class c ON c.oid = pr.prrelid WHERE pr.prrelid = '?' "
         "UNION SELECT pubname , NULL , NULL FROM pg_catalog.pg_publication p WHERE "
         "p.puballtables AND pg_catalog.pg_relation_is_publishable('?') ORDER BY 1;",
         {{"pubname", text, 0, 0}, {"?column?", text, 0, 0}, {"?column?", text, 0, 0}}});
    return known;
  }();
  return queries;
}

// Collapses whitespace runs to one space and replaces quoted numbers ('16384') by '?'.
std::string Normalize(std::string_view sql) {
  std::string normalized;
  normalized.reserve(sql.size());
  size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      while (i < sql.size() && std::isspace(static_cast<unsigned char>(sql[i]))) {
        ++i;
      }
      normalized += ' ';
      continue;
    }
    if (c == '\'') {
      size_t end = i + 1;
      while (end < sql.size() && std::isdigit(static_cast<unsigned char>(sql[end]))) {
        ++end;
      }
      if (end > i + 1 && end < sql.size() && sql[end] == '\'') {
        normalized += "'?'";
        i = end + 1;
        continue;
      }
    }
    normalized += c;
    ++i;
  }
  while (!normalized.empty() && normalized.front() == ' ') {
    normalized.erase(normalized.begin());
  }
  while (!normalized.empty() && normalized.back() == ' ') {
    normalized.pop_back();
  }
  return normalized;
}

// Array expressions of psql 15 queries (whitespace as one space) and their value in Freshet.
struct Rewrite {
  std::string_view fragment;
  std::string_view replacement;
};

constexpr Rewrite kRewrites[] = {
    // \d+ table: reloptions is NULL and there are no TOAST tables.
    {"pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from "
     "pg_catalog.unnest(tc.reloptions) x), ', ')",
     "''"},
    // \dp: no column privileges and no policies.
    {"pg_catalog.array_to_string(ARRAY( SELECT attname || E':\\n ' || "
     "pg_catalog.array_to_string(attacl, E'\\n ') FROM pg_catalog.pg_attribute a WHERE attrelid "
     "= c.oid AND NOT attisdropped AND attacl IS NOT NULL ), E'\\n')",
     "''"},
    {"pg_catalog.array_to_string(ARRAY( SELECT polname || CASE WHEN NOT polpermissive THEN E' "
     "(RESTRICTIVE)' ELSE '' END || CASE WHEN polcmd != '*' THEN E' (' || "
     "polcmd::pg_catalog.text || E'):' ELSE E':' END || CASE WHEN polqual IS NOT NULL THEN "
     "E'\\n (u): ' || pg_catalog.pg_get_expr(polqual, polrelid) ELSE E'' END || CASE WHEN "
     "polwithcheck IS NOT NULL THEN E'\\n (c): ' || pg_catalog.pg_get_expr(polwithcheck, "
     "polrelid) ELSE E'' END || CASE WHEN polroles <> '{0}' THEN E'\\n to: ' || "
     "pg_catalog.array_to_string( ARRAY( SELECT rolname FROM pg_catalog.pg_roles WHERE oid = ANY "
     "(polroles) ORDER BY 1 ), E', ') ELSE E'' END FROM pg_catalog.pg_policy pol WHERE polrelid = "
     "c.oid), E'\\n')",
     "''"},
    // \du: no role is a member of another.
    {"ARRAY(SELECT b.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles b ON "
     "(m.roleid = b.oid) WHERE m.member = r.oid)",
     "'{}'"},
};

// Finds `fragment` in `sql`, where each space of the fragment stands for one or more whitespace
// characters, and a '(' or ')' may have whitespace around it. Returns [begin, end) in `sql`.
std::optional<std::pair<size_t, size_t>> FindFragment(std::string_view sql,
                                                      std::string_view fragment) {
  const auto is_space = [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; };
  for (size_t begin = 0; begin < sql.size(); ++begin) {
    size_t i = begin;
    size_t j = 0;
    while (j < fragment.size()) {
      if (fragment[j] == ' ') {
        if (i >= sql.size() || !is_space(sql[i])) {
          break;
        }
        while (i < sql.size() && is_space(sql[i])) {
          ++i;
        }
        ++j;
        continue;
      }
      if (i >= sql.size() || sql[i] != fragment[j]) {
        break;
      }
      ++i;
      ++j;
    }
    if (j == fragment.size()) {
      return std::make_pair(begin, i);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> RewriteCatalogQuery(std::string_view sql) {
  if (sql.find("pg_catalog.") == std::string_view::npos) {
    return std::nullopt;
  }
  std::optional<std::string> rewritten;
  for (const Rewrite& rewrite : kRewrites) {
    const std::string_view current = rewritten ? std::string_view(*rewritten) : sql;
    if (const auto found = FindFragment(current, rewrite.fragment)) {
      std::string next(current.substr(0, found->first));
      next += rewrite.replacement;
      next += current.substr(found->second);
      rewritten = std::move(next);
    }
  }
  return rewritten;
}

std::optional<std::vector<plan::OutputColumn>> MatchEmptyCatalogQuery(std::string_view sql) {
  // Cheap filter first: every query of the list reads one of these catalogs.
  if (sql.find("pg_policy") == std::string_view::npos &&
      sql.find("pg_statistic_ext") == std::string_view::npos &&
      sql.find("pg_publication") == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string normalized = Normalize(sql);
  for (const KnownQuery& query : KnownQueries()) {
    if (query.text == normalized) {
      return query.columns;
    }
  }
  return std::nullopt;
}

}  // namespace freshet::engine
