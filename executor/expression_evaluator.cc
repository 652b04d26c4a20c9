// SPDX-License-Identifier: Apache-2.0
#include "executor/expression_evaluator.h"

#include <algorithm>
#include <deque>
#include <optional>

#include "common/error.h"
#include "function/cast.h"

namespace freshet::executor {

using plan::ExpressionKind;

/// The evaluation state of one expression node: the node, its children's states and its scratch
/// result.
struct ExpressionEvaluator::Node {
  Node(const plan::Expression& node_expression, const BatchContext& batch)
      : expression(node_expression),
        batch_context(batch),
        context(batch.evaluation),
        scratch(node_expression.type) {
    for (const plan::ExpressionPtr& child : expression.children) {
      children.push_back(std::make_unique<Node>(*child, batch));
    }
  }

  const Column& Evaluate(const Chunk& input);
  /// Evaluates on the rows of `input` where `selected` is 1; returns a column of just those rows.
  /// Sub-chunks built here are kept in `held` so that the returned column stays valid.
  const Column& EvaluateOn(const Chunk& input,
                           const std::vector<uint8_t>& selected,
                           std::deque<Chunk>& held);

  const Column& EvaluateAndOr(const Chunk& input, bool is_and);
  const Column& EvaluateCase(const Chunk& input);
  const Column& EvaluateCoalesce(const Chunk& input);

  const Column& EvaluateSubquery(const Chunk& input);
  /// Runs the subquery for the outer row `row` of `input` (or uncorrelated, once) and returns all
  /// its rows.
  std::vector<Chunk> RunSubquery(const Chunk* input, size_t row);

  const plan::Expression& expression;
  const BatchContext& batch_context;
  const function::EvaluationContext& context;
  /// The rows of an uncorrelated subquery, computed on first use.
  std::optional<std::vector<Chunk>> cached_rows;
  std::vector<std::unique_ptr<Node>> children;
  Column scratch;
  size_t constant_rows = static_cast<size_t>(-1);
};

namespace {

// 1 where a boolean column is true, 0 where false, 2 where NULL.
uint8_t Truth(const Column& column, size_t row) {
  return column.IsNull(row) ? 2 : column.Data<uint8_t>()[row];
}

void AppendBool(Column& out, uint8_t truth) {
  if (truth == 2) {
    out.AppendNull();
  } else {
    out.Append<uint8_t>(truth);
  }
}

}  // namespace

const Column& ExpressionEvaluator::Node::EvaluateOn(const Chunk& input,
                                                    const std::vector<uint8_t>& selected,
                                                    std::deque<Chunk>& held) {
  const size_t count = static_cast<size_t>(std::count(selected.begin(), selected.end(), 1));
  if (count == input.NumRows()) {
    return Evaluate(input);
  }
  held.push_back(input.Select(selected));
  return Evaluate(held.back());
}

const Column& ExpressionEvaluator::Node::Evaluate(const Chunk& input) {
  const size_t rows = input.NumRows();
  switch (expression.kind) {
    case ExpressionKind::kColumn:
      return input.GetColumn(expression.column_index);
    case ExpressionKind::kConstant:
      if (constant_rows != rows) {
        scratch.Clear();
        scratch.Reserve(rows);
        for (size_t i = 0; i < rows; ++i) {
          scratch.AppendValue(expression.constant);
        }
        constant_rows = rows;
      }
      return scratch;
    case ExpressionKind::kCall: {
      const Column* arguments[8];
      std::vector<const Column*> many;
      std::span<const Column* const> span;
      if (children.size() <= 8) {
        for (size_t i = 0; i < children.size(); ++i) {
          arguments[i] = &children[i]->Evaluate(input);
        }
        span = std::span<const Column* const>(arguments, children.size());
      } else {
        for (const auto& child : children) {
          many.push_back(&child->Evaluate(input));
        }
        span = many;
      }
      scratch.Clear();
      expression.function->kernel(context, span, rows, scratch);
      return scratch;
    }
    case ExpressionKind::kCast: {
      const Column& in = children[0]->Evaluate(input);
      scratch.Clear();
      function::CastColumn(in, expression.type, expression.cast_context, scratch, context);
      return scratch;
    }
    case ExpressionKind::kAnd:
    case ExpressionKind::kOr:
      return EvaluateAndOr(input, expression.kind == ExpressionKind::kAnd);
    case ExpressionKind::kNot: {
      const Column& in = children[0]->Evaluate(input);
      scratch.Clear();
      scratch.Reserve(rows);
      for (size_t i = 0; i < rows; ++i) {
        const uint8_t truth = Truth(in, i);
        AppendBool(scratch, truth == 2 ? 2 : 1 - truth);
      }
      return scratch;
    }
    case ExpressionKind::kIsNull: {
      const Column& in = children[0]->Evaluate(input);
      scratch.Clear();
      scratch.Reserve(rows);
      for (size_t i = 0; i < rows; ++i) {
        scratch.Append<uint8_t>(in.IsNull(i) != expression.negated ? 1 : 0);
      }
      return scratch;
    }
    case ExpressionKind::kIsTrue:
    case ExpressionKind::kIsFalse: {
      const Column& in = children[0]->Evaluate(input);
      const uint8_t wanted = expression.kind == ExpressionKind::kIsTrue ? 1 : 0;
      scratch.Clear();
      scratch.Reserve(rows);
      for (size_t i = 0; i < rows; ++i) {
        scratch.Append<uint8_t>((Truth(in, i) == wanted) != expression.negated ? 1 : 0);
      }
      return scratch;
    }
    case ExpressionKind::kIsDistinct: {
      const Column& left = children[0]->Evaluate(input);
      const Column& right = children[1]->Evaluate(input);
      Column equal(DataType::Boolean());
      const Column* arguments[] = {&left, &right};
      expression.function->kernel(context, std::span<const Column* const>(arguments, 2), rows,
                                  equal);
      scratch.Clear();
      scratch.Reserve(rows);
      for (size_t i = 0; i < rows; ++i) {
        bool distinct;
        if (left.IsNull(i) || right.IsNull(i)) {
          distinct = left.IsNull(i) != right.IsNull(i);
        } else {
          distinct = equal.Data<uint8_t>()[i] == 0;
        }
        scratch.Append<uint8_t>(distinct != expression.negated ? 1 : 0);
      }
      return scratch;
    }
    case ExpressionKind::kCase:
      return EvaluateCase(input);
    case ExpressionKind::kCoalesce:
      return EvaluateCoalesce(input);
    case ExpressionKind::kOuterColumn: {
      if (batch_context.outer_chunk == nullptr) {
        throw Error::Internal("outer column reference without an outer row");
      }
      const Column& outer = batch_context.outer_chunk->GetColumn(expression.column_index);
      scratch.Clear();
      scratch.Reserve(rows);
      for (size_t i = 0; i < rows; ++i) {
        scratch.AppendFrom(outer, batch_context.outer_row);
      }
      return scratch;
    }
    case ExpressionKind::kScalarSubquery:
    case ExpressionKind::kExists:
    case ExpressionKind::kQuantifiedSubquery:
      return EvaluateSubquery(input);
  }
  throw Error::Internal("unknown expression kind");
}

const Column& ExpressionEvaluator::Node::EvaluateAndOr(const Chunk& input, bool is_and) {
  const size_t rows = input.NumRows();
  // The value that decides the result on its own: false for AND, true for OR.
  const uint8_t decisive = is_and ? 0 : 1;
  std::vector<uint8_t> state(rows, is_and ? 1 : 0);
  std::vector<uint8_t> undecided(rows, 1);
  std::deque<Chunk> held;
  for (auto& child : children) {
    if (std::find(undecided.begin(), undecided.end(), 1) == undecided.end()) {
      break;
    }
    const Column& value = child->EvaluateOn(input, undecided, held);
    size_t sub_row = 0;
    for (size_t i = 0; i < rows; ++i) {
      if (!undecided[i]) {
        continue;
      }
      const uint8_t truth = Truth(value, sub_row++);
      if (truth == decisive) {
        state[i] = decisive;
        undecided[i] = 0;
      } else if (truth == 2) {
        state[i] = 2;
      }
    }
  }
  scratch.Clear();
  scratch.Reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    AppendBool(scratch, state[i]);
  }
  return scratch;
}

const Column& ExpressionEvaluator::Node::EvaluateCase(const Chunk& input) {
  const size_t rows = input.NumRows();
  const size_t num_branches = children.size() / 2;
  // branch[i]: which THEN (or num_branches for ELSE) row i takes.
  std::vector<size_t> branch(rows, num_branches);
  std::vector<uint8_t> remaining(rows, 1);
  std::deque<Chunk> held;
  for (size_t b = 0; b < num_branches; ++b) {
    if (std::find(remaining.begin(), remaining.end(), 1) == remaining.end()) {
      break;
    }
    const Column& condition = children[2 * b]->EvaluateOn(input, remaining, held);
    size_t sub_row = 0;
    for (size_t i = 0; i < rows; ++i) {
      if (remaining[i] && Truth(condition, sub_row++) == 1) {
        branch[i] = b;
        remaining[i] = 0;
      }
    }
  }
  // Evaluate each result on its own rows, then gather them in row order.
  std::vector<const Column*> results(num_branches + 1, nullptr);
  for (size_t b = 0; b <= num_branches; ++b) {
    std::vector<uint8_t> selected(rows);
    bool any = false;
    for (size_t i = 0; i < rows; ++i) {
      selected[i] = branch[i] == b ? 1 : 0;
      any = any || selected[i];
    }
    if (any) {
      Node& result = *children[b < num_branches ? 2 * b + 1 : children.size() - 1];
      results[b] = &result.EvaluateOn(input, selected, held);
    }
  }
  scratch.Clear();
  scratch.Reserve(rows);
  std::vector<size_t> next(num_branches + 1, 0);
  for (size_t i = 0; i < rows; ++i) {
    scratch.AppendFrom(*results[branch[i]], next[branch[i]]++);
  }
  return scratch;
}

const Column& ExpressionEvaluator::Node::EvaluateCoalesce(const Chunk& input) {
  const size_t rows = input.NumRows();
  // Row i takes row position[i] of the result of child source[i], which was evaluated only on the
  // rows still NULL before it.
  std::vector<size_t> source(rows, children.size());
  std::vector<size_t> position(rows, 0);
  std::vector<uint8_t> missing(rows, 1);
  std::vector<const Column*> values(children.size(), nullptr);
  std::deque<Chunk> held;
  for (size_t c = 0; c < children.size(); ++c) {
    if (std::find(missing.begin(), missing.end(), 1) == missing.end()) {
      break;
    }
    const std::vector<uint8_t> asked = missing;
    values[c] = &children[c]->EvaluateOn(input, asked, held);
    size_t sub_row = 0;
    for (size_t i = 0; i < rows; ++i) {
      if (!asked[i]) {
        continue;
      }
      if (!values[c]->IsNull(sub_row)) {
        source[i] = c;
        position[i] = sub_row;
        missing[i] = 0;
      }
      ++sub_row;
    }
  }
  scratch.Clear();
  scratch.Reserve(rows);
  for (size_t i = 0; i < rows; ++i) {
    if (source[i] == children.size()) {
      scratch.AppendNull();
    } else {
      scratch.AppendFrom(*values[source[i]], position[i]);
    }
  }
  return scratch;
}

std::vector<Chunk> ExpressionEvaluator::Node::RunSubquery(const Chunk* input, size_t row) {
  BatchContext inner = batch_context;
  inner.outer_chunk = input;
  inner.outer_row = row;
  auto query = BuildBatchOperator(*expression.subquery, inner);
  std::vector<Chunk> chunks;
  Chunk chunk;
  while (query->Next(chunk)) {
    chunks.push_back(std::move(chunk));
    // EXISTS needs one row and a scalar subquery two to decide.
    if (expression.kind == ExpressionKind::kExists) {
      break;
    }
  }
  return chunks;
}

const Column& ExpressionEvaluator::Node::EvaluateSubquery(const Chunk& input) {
  const size_t rows = input.NumRows();
  // Left operands of ANY / ALL, evaluated for all rows at once.
  const Column* left = expression.kind == ExpressionKind::kQuantifiedSubquery
                           ? &children[0]->Evaluate(input)
                           : nullptr;
  scratch.Clear();
  scratch.Reserve(rows);
  for (size_t row = 0; row < rows; ++row) {
    const std::vector<Chunk>* result;
    std::vector<Chunk> fresh;
    if (expression.correlated) {
      fresh = RunSubquery(&input, row);
      result = &fresh;
    } else {
      if (!cached_rows) {
        cached_rows = RunSubquery(nullptr, 0);
      }
      result = &*cached_rows;
    }
    size_t count = 0;
    for (const Chunk& chunk : *result) {
      count += chunk.NumRows();
    }
    switch (expression.kind) {
      case ExpressionKind::kExists:
        scratch.Append<uint8_t>((count > 0) != expression.negated ? 1 : 0);
        break;
      case ExpressionKind::kScalarSubquery:
        if (count > 1) {
          throw Error(SqlState::kCardinalityViolation,
                      "more than one row returned by a subquery used as an expression");
        }
        if (count == 0) {
          scratch.AppendNull();
        } else {
          for (const Chunk& chunk : *result) {
            if (chunk.NumRows() > 0) {
              scratch.AppendFrom(chunk.GetColumn(0), 0);
            }
          }
        }
        break;
      default: {
        // x op ANY (s): true if some comparison is true, else NULL if some is NULL, else false; ALL
        // is the dual. The comparison runs a chunk at a time against x repeated.
        const uint8_t decisive = expression.all ? 0 : 1;
        uint8_t state = expression.all ? 1 : 0;
        for (const Chunk& chunk : *result) {
          if (state == decisive) {
            break;
          }
          Column repeated(left->Type());
          repeated.Reserve(chunk.NumRows());
          for (size_t i = 0; i < chunk.NumRows(); ++i) {
            repeated.AppendFrom(*left, row);
          }
          Column compared(DataType::Boolean());
          const Column* arguments[] = {&repeated, &chunk.GetColumn(0)};
          expression.function->kernel(context, std::span<const Column* const>(arguments, 2),
                                      chunk.NumRows(), compared);
          for (size_t i = 0; i < compared.Size(); ++i) {
            const uint8_t truth = Truth(compared, i);
            if (truth == decisive) {
              state = decisive;
              break;
            }
            if (truth == 2) {
              state = 2;
            }
          }
        }
        AppendBool(scratch, state);
        break;
      }
    }
  }
  return scratch;
}

ExpressionEvaluator::ExpressionEvaluator(const plan::Expression& expression,
                                         const BatchContext& context)
    : root_(std::make_unique<Node>(expression, context)) {}

ExpressionEvaluator::~ExpressionEvaluator() = default;
ExpressionEvaluator::ExpressionEvaluator(ExpressionEvaluator&&) noexcept = default;
ExpressionEvaluator& ExpressionEvaluator::operator=(ExpressionEvaluator&&) noexcept = default;

const Column& ExpressionEvaluator::Evaluate(const Chunk& input) {
  return root_->Evaluate(input);
}

std::vector<uint8_t> ExpressionEvaluator::EvaluatePredicate(const Chunk& input) {
  const Column& result = Evaluate(input);
  std::vector<uint8_t> selected(input.NumRows());
  for (size_t i = 0; i < selected.size(); ++i) {
    selected[i] = !result.IsNull(i) && result.Data<uint8_t>()[i] != 0 ? 1 : 0;
  }
  return selected;
}

}  // namespace freshet::executor
