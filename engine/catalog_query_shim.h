// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "planner/plan/batch_plan.h"

namespace freshet::engine {

/// Recognizes the catalog queries psql 15's `\d table` sends about row-level security policies,
/// extended statistics and publications, and returns the columns of their answer, which is always
/// empty because Freshet has none of those objects. Those queries need array expressions
/// (ARRAY(subquery), `= ANY (array)`, `int2[]` casts, subscripts) that Freshet cannot bind yet,
/// and `\d` shows nothing when any of its queries fails. Matching ignores whitespace and the
/// table's OID literal. Remove an entry once Freshet can run its query.
std::optional<std::vector<plan::OutputColumn>> MatchEmptyCatalogQuery(std::string_view sql);

/// Rewrites the array expressions of psql 15's other catalog queries into what they evaluate to in
/// Freshet, where the arrays they read are always NULL or empty (reloptions, attacl, policies,
/// role memberships): `\d+ table`, `\dp` and `\du`. Returns nothing when `sql` holds none of them.
std::optional<std::string> RewriteCatalogQuery(std::string_view sql);

}  // namespace freshet::engine
