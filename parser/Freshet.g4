// SPDX-License-Identifier: Apache-2.0
//
// Freshet's SQL dialect in one combined ANTLR4 grammar: PostgreSQL query and expression syntax,
// plus the streaming DDL of DESIGN.md section 5 in RisingWave's spelling (and Flink's spelling of
// the window table functions).
//
// The code generator runs at build time (parser/CMakeLists.txt); the generated sources never enter
// the repository. The grammar carries no actions, so it stays independent of the target language;
// the transformer (transform_*.cc) walks the parse tree and builds the owned AST of ast.h.
//
// Keyword categories follow PostgreSQL's kwlist.h: reserved keywords are never identifiers,
// column-name keywords may name columns but not functions or types, type/function-name keywords the
// reverse, and unreserved keywords (including every Freshet extension) are identifiers wherever one
// is expected. ANTLR 4.7 has no caseInsensitive option, so every keyword is spelled with
// case-folding letter fragments.
//
// Expression precedence, from the loosest to the tightest binding, is PostgreSQL's:
//   OR < AND < NOT < IS, ISNULL, NOTNULL < comparison < LIKE, ILIKE, SIMILAR, BETWEEN, IN < ESCAPE
//   < other operators (||, ~, ->, OPERATOR(...), ...) < + - < * / % < ^ < AT TIME ZONE < COLLATE
//   < unary + - < [] < ::
// In an ANTLR left-recursive rule the earlier alternative binds tighter, so `expr` lists them the
// other way round.
grammar Freshet;

// =================================================================================================
// Statements

script
  : statement? (SEMI statement?)* EOF
  ;

statement
  : query
  | insertStatement
  | updateStatement
  | deleteStatement
  | createTableStatement
  | createSourceStatement
  | createViewStatement
  | createSinkStatement
  | dropStatement
  | showStatement
  | setStatement
  | resetStatement
  | transactionStatement
  | flushStatement
  | explainStatement
  | describeStatement
  ;

insertStatement
  : INSERT INTO qualifiedName (AS colId)? columnList? query
  ;

updateStatement
  : UPDATE qualifiedName SET assignment (COMMA assignment)* whereClause?
  ;

assignment
  : colId EQ expr
  ;

deleteStatement
  : DELETE_P FROM qualifiedName whereClause?
  ;

createTableStatement
  : CREATE TABLE ifNotExists? qualifiedName LPAREN (tableElement (COMMA tableElement)*)? RPAREN
    includeClause* (APPEND ONLY)? withOptions? formatClause?
  | CREATE TABLE ifNotExists? qualifiedName AS query
  ;

tableElement
  : columnDefinition
  | tableConstraint
  | watermarkDefinition
  ;

columnDefinition
  : colId typeName columnConstraint*
  ;

columnConstraint
  : (CONSTRAINT colId)? (NOT NULL_P | NULL_P | PRIMARY KEY | DEFAULT bExpr)
  ;

tableConstraint
  : (CONSTRAINT colId)? PRIMARY KEY columnList
  ;

watermarkDefinition
  : WATERMARK FOR colId AS expr (WITH LATENESS expr)?
  ;

createSourceStatement
  : CREATE SOURCE ifNotExists? qualifiedName
    (LPAREN (sourceElement (COMMA sourceElement)*)? RPAREN)? includeClause* withOptions?
    formatClause?
  ;

sourceElement
  : columnDefinition
  | watermarkDefinition
  ;

includeClause
  : INCLUDE colLabel (AS colId)?
  ;

createViewStatement
  : CREATE MATERIALIZED? VIEW ifNotExists? qualifiedName columnList? withOptions?
    AS query emitClause?
  ;

emitClause
  : EMIT ON WINDOW CLOSE
  ;

createSinkStatement
  : CREATE SINK ifNotExists? qualifiedName (FROM qualifiedName | AS query emitClause?) withOptions?
    formatClause?
  ;

ifNotExists
  : IF NOT EXISTS
  ;

withOptions
  : WITH LPAREN option (COMMA option)* RPAREN
  ;

option
  : optionKey EQ optionValue
  ;

optionKey
  : colLabel (DOT colLabel)*
  ;

optionValue
  : stringLiteral
  | signedNumber
  | colLabel (DOT colLabel)*
  ;

formatClause
  : FORMAT colLabel ENCODE colLabel (WITH? LPAREN option (COMMA option)* RPAREN)?
  ;

dropStatement
  : DROP objectType (IF EXISTS)? qualifiedName (COMMA qualifiedName)* (CASCADE | RESTRICT)?
  ;

objectType
  : TABLE
  | SOURCE
  | MATERIALIZED VIEW
  | VIEW
  | SINK
  | INDEX
  | SCHEMA
  ;

showStatement
  : SHOW showObjects
  | SHOW ALL
  | SHOW TRANSACTION ISOLATION LEVEL
  | SHOW TIME ZONE
  | SHOW variableName
  ;

showObjects
  : TABLES
  | SOURCES
  | MATERIALIZED VIEWS
  | VIEWS
  | SINKS
  ;

setStatement
  : SET scope=(SESSION | LOCAL)? variableName (TO | EQ) setValue (COMMA setValue)*
  | SET scope=(SESSION | LOCAL)? TIME ZONE setValue
  | SET scope=(SESSION | LOCAL)? NAMES setValue
  | SET scope=(SESSION | LOCAL)? SCHEMA stringLiteral
  | SET scope=(SESSION | LOCAL)? TRANSACTION transactionMode (COMMA? transactionMode)*
  | SET SESSION CHARACTERISTICS AS TRANSACTION transactionMode (COMMA? transactionMode)*
  ;

resetStatement
  : RESET ALL
  | RESET TIME ZONE
  | RESET variableName
  ;

variableName
  : colId (DOT colId)*
  ;

setValue
  : DEFAULT
  | ON
  | TRUE_P
  | FALSE_P
  | stringLiteral
  | signedNumber
  | nonReservedWord
  ;

transactionStatement
  : BEGIN (WORK | TRANSACTION)? (transactionMode (COMMA? transactionMode)*)?
  | START TRANSACTION (transactionMode (COMMA? transactionMode)*)?
  | COMMIT (WORK | TRANSACTION)?
  | END (WORK | TRANSACTION)?
  | ROLLBACK (WORK | TRANSACTION)?
  | ABORT (WORK | TRANSACTION)?
  ;

transactionMode
  : ISOLATION LEVEL (SERIALIZABLE | REPEATABLE READ | READ COMMITTED | READ UNCOMMITTED)
  | READ ONLY
  | READ WRITE
  | NOT? DEFERRABLE
  ;

flushStatement
  : FLUSH
  ;

explainStatement
  : EXPLAIN statement
  ;

describeStatement
  : DESCRIBE qualifiedName
  ;

// =================================================================================================
// Queries

query
  : withClause? queryBody orderByClause? limitClause?
  ;

withClause
  : WITH RECURSIVE? commonTableExpression (COMMA commonTableExpression)*
  ;

commonTableExpression
  : colId columnList? AS (NOT? MATERIALIZED)? LPAREN query RPAREN
  ;

// Set operations: INTERSECT binds tighter than UNION and EXCEPT; all are left-associative.
queryBody
  : queryPrimary                                                        #primaryQuery
  | queryBody INTERSECT setQuantifier? queryBody                        #intersectQuery
  | queryBody operation=(UNION | EXCEPT) setQuantifier? queryBody       #unionQuery
  ;

setQuantifier
  : ALL
  | DISTINCT
  ;

queryPrimary
  : simpleSelect
  | valuesClause
  | TABLE qualifiedName
  | LPAREN query RPAREN
  ;

// PostgreSQL accepts an empty select list (`SELECT FROM t` returns rows without columns).
simpleSelect
  : SELECT (ALL | distinctClause)? selectList? fromClause? whereClause? groupByClause? havingClause?
  ;

distinctClause
  : DISTINCT (ON LPAREN expr (COMMA expr)* RPAREN)?
  ;

selectList
  : selectItem (COMMA selectItem)*
  ;

selectItem
  : STAR                                                                #starItem
  | qualifiedName DOT STAR                                              #qualifiedStarItem
  | expr (AS colLabel | bareColLabel)?                                  #expressionItem
  ;

fromClause
  : FROM tableRef (COMMA tableRef)*
  ;

whereClause
  : WHERE expr
  ;

groupByClause
  : GROUP BY expr (COMMA expr)*
  ;

havingClause
  : HAVING expr
  ;

valuesClause
  : VALUES valuesRow (COMMA valuesRow)*
  ;

valuesRow
  : LPAREN expr (COMMA expr)* RPAREN
  ;

orderByClause
  : ORDER BY sortItem (COMMA sortItem)*
  ;

sortItem
  : expr direction=(ASC | DESC)? (NULLS nulls=(FIRST | LAST))?
  ;

// LIMIT and OFFSET may come in either order; FETCH FIRST is the SQL-standard spelling of LIMIT.
limitClause
  : limitPart offsetPart?
  | offsetPart limitPart?
  ;

limitPart
  : LIMIT (expr | ALL)
  | FETCH (FIRST | NEXT) fetchCount? (ROW | ROWS) (ONLY | WITH TIES)
  ;

fetchCount
  : primaryExpr
  | signedNumber
  ;

offsetPart
  : OFFSET expr (ROW | ROWS)?
  ;

// A FROM item. A join's right side may itself be an unparenthesized join (`a JOIN b JOIN c ON x ON
// y`), as in PostgreSQL.
tableRef
  : tablePrimary                                                        #primaryTableRef
  | tableRef CROSS JOIN tablePrimary                                    #crossJoin
  | tableRef NATURAL joinType? JOIN tablePrimary                        #naturalJoin
  | tableRef joinType? JOIN tableRef joinQualifier                      #qualifiedJoin
  ;

joinType
  : INNER
  | kind=(LEFT | RIGHT | FULL) OUTER?
  ;

joinQualifier
  : ON expr
  | USING columnList
  ;

tablePrimary
  : qualifiedName aliasClause?                                          #baseTable
  | functionName LPAREN (tableFunctionArgument (COMMA tableFunctionArgument)*)? RPAREN aliasClause?
                                                                        #tableFunction
  | LATERAL? LPAREN query RPAREN aliasClause?                           #subqueryTable
  | LPAREN tableRef RPAREN aliasClause?                                 #parenthesizedTable
  ;

// Flink spells the window table functions TUMBLE(TABLE t, DESCRIPTOR(ts), size).
tableFunctionArgument
  : TABLE qualifiedName
  | DESCRIPTOR columnList
  | expr
  ;

aliasClause
  : AS? colId columnList?
  ;

columnList
  : LPAREN colId (COMMA colId)* RPAREN
  ;

// =================================================================================================
// Expressions

expr
  : primaryExpr                                                         #primaryExpression
  | expr TYPECAST typeName                                              #typecastExpression
  | expr LBRACKET expr RBRACKET                                         #subscriptExpression
  | <assoc=right> sign=(PLUS | MINUS) expr                              #unaryExpression
  | expr COLLATE anyName                                                #collateExpression
  | expr AT TIME ZONE expr                                              #atTimeZoneExpression
  | expr CARET expr                                                     #powerExpression
  | expr operation=(STAR | SLASH | PERCENT) expr                        #multiplicativeExpression
  | expr operation=(PLUS | MINUS) expr                                  #additiveExpression
  | expr qualifiedOperator expr                                         #operatorExpression
  | qualifiedOperator expr                                              #prefixOperatorExpression
  | expr ESCAPE expr                                                    #escapeExpression
  | expr NOT? operation=(LIKE | ILIKE) expr                             #likeExpression
  | expr NOT? SIMILAR TO expr                                           #similarExpression
  | expr NOT? BETWEEN (SYMMETRIC | ASYMMETRIC)? bExpr AND expr          #betweenExpression
  | expr NOT? IN_P LPAREN (query | expr (COMMA expr)*) RPAREN           #inExpression
  | expr comparisonOperator quantifier=(ANY | SOME | ALL) LPAREN (query | expr) RPAREN
                                                                        #quantifiedComparison
  | expr comparisonOperator expr                                        #comparisonExpression
  | expr IS NOT? NULL_P                                                 #isNullExpression
  | expr test=(ISNULL | NOTNULL)                                        #nullTestExpression
  | expr IS NOT? truth=(TRUE_P | FALSE_P | UNKNOWN)                     #isBooleanExpression
  | expr IS NOT? DISTINCT FROM expr                                     #isDistinctExpression
  | <assoc=right> NOT expr                                              #notExpression
  | expr AND expr                                                       #andExpression
  | expr OR expr                                                        #orExpression
  ;

// PostgreSQL's b_expr: the operators that cannot swallow the AND of BETWEEN ... AND ... or the
// keywords after a column DEFAULT.
bExpr
  : primaryExpr                                                         #bPrimary
  | bExpr TYPECAST typeName                                             #bTypecast
  | bExpr LBRACKET expr RBRACKET                                        #bSubscript
  | <assoc=right> sign=(PLUS | MINUS) bExpr                             #bUnary
  | bExpr CARET bExpr                                                   #bPower
  | bExpr operation=(STAR | SLASH | PERCENT) bExpr                      #bMultiplicative
  | bExpr operation=(PLUS | MINUS) bExpr                                #bAdditive
  | bExpr qualifiedOperator bExpr                                       #bOperator
  | qualifiedOperator bExpr                                             #bPrefixOperator
  ;

comparisonOperator
  : EQ | NOT_EQUALS | BANG_EQUALS | LT | LESS_EQUALS | GT | GREATER_EQUALS
  ;

qualifiedOperator
  : otherOperator
  | OPERATOR LPAREN (colId DOT)* anyOperator RPAREN
  ;

otherOperator
  : CONCAT | TILDE | NOT_TILDE | TILDE_STAR | NOT_TILDE_STAR | DOUBLE_TILDE | NOT_DOUBLE_TILDE
  | DOUBLE_TILDE_STAR | NOT_DOUBLE_TILDE_STAR | ARROW | DOUBLE_ARROW | HASH_ARROW
  | HASH_DOUBLE_ARROW | HASH_MINUS | AT_GREATER | LESS_AT | AMPERSAND_AMPERSAND | AMPERSAND | PIPE
  | HASH | SHIFT_LEFT | SHIFT_RIGHT | AT_SIGN | QUESTION | QUESTION_PIPE | QUESTION_AMPERSAND
  | SQUARE_ROOT | CUBE_ROOT
  ;

anyOperator
  : otherOperator | comparisonOperator | PLUS | MINUS | STAR | SLASH | PERCENT | CARET
  ;

primaryExpr
  : constant                                                            #constantExpression
  | PARAMETER                                                           #parameterExpression
  | LPAREN query RPAREN                                                 #scalarSubquery
  | LPAREN expr RPAREN                                                  #parenthesizedExpression
  | EXISTS LPAREN query RPAREN                                          #existsExpression
  | ARRAY arrayBody                                                     #arrayExpression
  | ARRAY LPAREN query RPAREN                                           #arraySubquery
  | CASE expr? whenClause+ (ELSE expr)? END                             #caseExpression
  | CAST LPAREN expr AS typeName RPAREN                                 #castExpression
  | specialFunction                                                     #specialFunctionExpression
  | functionCall                                                        #functionExpression
  | typedLiteral                                                        #typedLiteralExpression
  | colId (DOT colLabel)*                                               #columnExpression
  ;

constant
  : INTEGER_LITERAL
  | DECIMAL_LITERAL
  | stringLiteral
  | TRUE_P
  | FALSE_P
  | NULL_P
  ;

stringLiteral
  : STRING
  | ESCAPE_STRING
  | DOLLAR_STRING
  ;

signedNumber
  : sign=(PLUS | MINUS)? (INTEGER_LITERAL | DECIMAL_LITERAL)
  ;

arrayBody
  : LBRACKET (expr (COMMA expr)*)? RBRACKET
  | LBRACKET arrayBody (COMMA arrayBody)* RBRACKET
  ;

whenClause
  : WHEN expr THEN expr
  ;

// Syntax that looks like a function call but is not one in the grammar of PostgreSQL; each becomes
// an ordinary FunctionCall node.
specialFunction
  : name=(CURRENT_DATE | CURRENT_ROLE | CURRENT_USER | SESSION_USER | USER | CURRENT_CATALOG
      | CURRENT_SCHEMA) #valueFunction
  | name=(CURRENT_TIME | CURRENT_TIMESTAMP | LOCALTIME | LOCALTIMESTAMP)
    (LPAREN INTEGER_LITERAL RPAREN)?                                    #timeValueFunction
  | EXTRACT LPAREN extractField FROM expr RPAREN                        #extractFunction
  | SUBSTRING LPAREN expr (FROM expr)? (FOR expr)? RPAREN               #substringFunction
  | SUBSTRING LPAREN (expr (COMMA expr)*)? RPAREN                       #substringListFunction
  | POSITION LPAREN bExpr IN_P bExpr RPAREN                             #positionFunction
  | TRIM LPAREN side=(BOTH | LEADING | TRAILING)? trimArguments RPAREN  #trimFunction
  | name=(COALESCE | GREATEST | LEAST | GROUPING) LPAREN expr (COMMA expr)* RPAREN
                                                                        #listFunction
  | NULLIF LPAREN expr COMMA expr RPAREN                                #nullifFunction
  ;

extractField
  : colLabel
  | stringLiteral
  ;

trimArguments
  : expr FROM expr (COMMA expr)*
  | FROM expr (COMMA expr)*
  | expr (COMMA expr)*
  ;

functionCall
  : functionName LPAREN STAR RPAREN filterClause? overClause?
  | functionName LPAREN (quantifier=(DISTINCT | ALL)? expr (COMMA expr)* orderByClause?)? RPAREN
    withinGroupClause? filterClause? overClause?
  ;

functionName
  : typeFunctionName
  | colId (DOT colLabel)+
  ;

withinGroupClause
  : WITHIN GROUP LPAREN orderByClause RPAREN
  ;

filterClause
  : FILTER LPAREN WHERE expr RPAREN
  ;

overClause
  : OVER LPAREN windowSpecification RPAREN
  | OVER colId
  ;

windowSpecification
  : (PARTITION BY expr (COMMA expr)*)? orderByClause? frameClause?
  ;

frameClause
  : (RANGE | ROWS | GROUPS) (frameBound | BETWEEN frameBound AND frameBound)
  ;

frameBound
  : UNBOUNDED (PRECEDING | FOLLOWING)
  | CURRENT ROW
  | expr (PRECEDING | FOLLOWING)
  ;

// `DATE '2024-01-01'`, `TIMESTAMP WITH TIME ZONE '...'`, `INTERVAL '5' SECOND`: a string constant
// read as a type.
typedLiteral
  : INTERVAL stringLiteral intervalQualifier?                           #intervalLiteral
  | INTERVAL LPAREN INTEGER_LITERAL RPAREN stringLiteral                #intervalPrecisionLiteral
  | constTypeName stringLiteral                                         #constTypeLiteral
  | functionName stringLiteral                                          #genericTypeLiteral
  ;

intervalQualifier
  : YEAR (TO MONTH)?
  | MONTH
  | DAY (TO (HOUR | MINUTE | SECOND secondPrecision?))?
  | HOUR (TO (MINUTE | SECOND secondPrecision?))?
  | MINUTE (TO SECOND secondPrecision?)?
  | SECOND secondPrecision?
  ;

secondPrecision
  : LPAREN INTEGER_LITERAL RPAREN
  ;

// =================================================================================================
// Type names

typeName
  : simpleTypeName arrayBounds?
  ;

arrayBounds
  : (LBRACKET INTEGER_LITERAL? RBRACKET)+
  | ARRAY (LBRACKET INTEGER_LITERAL RBRACKET)?
  ;

simpleTypeName
  : constTypeName
  | INTERVAL (intervalQualifier | LPAREN INTEGER_LITERAL RPAREN)?
  | typeFunctionName (DOT colLabel)* typeModifiers?
  ;

// The type names that are keywords (PostgreSQL's ConstTypename), each with its own modifier syntax.
constTypeName
  : INT | INTEGER | SMALLINT | BIGINT | REAL | BOOLEAN
  | FLOAT (LPAREN INTEGER_LITERAL RPAREN)?
  | DOUBLE PRECISION
  | (DECIMAL | DEC | NUMERIC) typeModifiers?
  | (CHARACTER | CHAR | NCHAR | NATIONAL (CHARACTER | CHAR)) VARYING? typeModifiers?
  | VARCHAR typeModifiers?
  | BIT VARYING? typeModifiers?
  | (TIMESTAMP | TIME) typeModifiers? (zone=(WITH | WITHOUT) TIME ZONE)?
  ;

typeModifiers
  : LPAREN typeModifier (COMMA typeModifier)* RPAREN
  ;

// A signed integer: NUMERIC(3, -2) has a negative scale.
typeModifier
  : MINUS? INTEGER_LITERAL
  ;

// =================================================================================================
// Names

qualifiedName
  : colId (DOT colLabel)*
  ;

anyName
  : colId (DOT colLabel)*
  ;

// A column, table or alias name: PostgreSQL's ColId.
colId
  : IDENTIFIER
  | QUOTED_IDENTIFIER
  | unreservedKeyword
  | columnNameKeyword
  ;

// A function or type name: PostgreSQL's type_function_name.
typeFunctionName
  : IDENTIFIER
  | QUOTED_IDENTIFIER
  | unreservedKeyword
  | typeFunctionNameKeyword
  ;

nonReservedWord
  : IDENTIFIER
  | QUOTED_IDENTIFIER
  | unreservedKeyword
  | columnNameKeyword
  | typeFunctionNameKeyword
  ;

// Any name at all, after AS or a dot: PostgreSQL's ColLabel.
colLabel
  : IDENTIFIER
  | QUOTED_IDENTIFIER
  | unreservedKeyword
  | columnNameKeyword
  | typeFunctionNameKeyword
  | reservedKeyword
  ;

// An alias without AS: PostgreSQL's BareColLabel, minus the keywords that could continue the
// expression before it.
bareColLabel
  : IDENTIFIER
  | QUOTED_IDENTIFIER
  | bareLabelKeyword
  ;

// =================================================================================================
// Keyword categories (PostgreSQL's kwlist.h, plus Freshet's own keywords as unreserved ones)

reservedKeyword
  : ALL | ANALYSE | ANALYZE | AND | ANY | ARRAY
  | AS | ASC | ASYMMETRIC | BOTH | CASE | CAST
  | CHECK | COLLATE | COLUMN | CONSTRAINT | CREATE | CURRENT_CATALOG
  | CURRENT_DATE | CURRENT_ROLE | CURRENT_TIME | CURRENT_TIMESTAMP | CURRENT_USER | DEFAULT
  | DEFERRABLE | DESC | DISTINCT | DO | ELSE | END
  | EXCEPT | FALSE_P | FETCH | FOR | FOREIGN | FROM
  | GRANT | GROUP | HAVING | IN_P | INITIALLY | INTERSECT
  | INTO | LATERAL | LEADING | LIMIT | LOCALTIME | LOCALTIMESTAMP
  | NOT | NULL_P | OFFSET | ON | ONLY | OR
  | ORDER | PLACING | PRIMARY | REFERENCES | RETURNING | SELECT
  | SESSION_USER | SOME | SYMMETRIC | TABLE | THEN | TO
  | TRAILING | TRUE_P | UNION | UNIQUE | USER | USING
  | VARIADIC | WHEN | WHERE | WINDOW | WITH
  ;

typeFunctionNameKeyword
  : AUTHORIZATION | BINARY | COLLATION | CONCURRENTLY | CROSS | CURRENT_SCHEMA
  | FREEZE | FULL | ILIKE | INNER | IS | ISNULL
  | JOIN | LEFT | LIKE | NATURAL | NOTNULL | OUTER
  | OVERLAPS | RIGHT | SIMILAR | TABLESAMPLE | VERBOSE
  ;

columnNameKeyword
  : BETWEEN | BIGINT | BIT | BOOLEAN | CHAR | CHARACTER
  | COALESCE | DEC | DECIMAL | EXISTS | EXTRACT | FLOAT
  | GREATEST | GROUPING | INOUT | INT | INTEGER | INTERVAL
  | LEAST | NATIONAL | NCHAR | NONE | NORMALIZE | NULLIF
  | NUMERIC | OUT_P | OVERLAY | POSITION | PRECISION | REAL
  | ROW | SETOF | SMALLINT | SUBSTRING | TIME | TIMESTAMP
  | TREAT | TRIM | VALUES | VARCHAR | XMLATTRIBUTES | XMLCONCAT
  | XMLELEMENT | XMLEXISTS | XMLFOREST | XMLNAMESPACES | XMLPARSE | XMLPI
  | XMLROOT | XMLSERIALIZE | XMLTABLE
  ;

unreservedKeyword
  : ABORT | APPEND | AT | BEGIN | BY | CASCADE
  | CHARACTERISTICS | CLOSE | COMMIT | COMMITTED | CURRENT | DAY
  | DELETE_P | DESCRIBE | DESCRIPTOR | DOUBLE | DROP | EMIT
  | ENCODE | ESCAPE | EXPLAIN | FILTER | FIRST | FLUSH
  | FOLLOWING | FORMAT | GROUPS | HOUR | IF | INCLUDE
  | INDEX | INSERT | ISOLATION | KEY | LAST | LATENESS
  | LEVEL | LOCAL | MATERIALIZED | MINUTE | MONTH | NAMES
  | NEXT | NO | NULLS | OFF | OPERATOR | OVER
  | PARTITION | PRECEDING | RANGE | READ | RECURSIVE | REPEATABLE
  | RESET | RESTRICT | ROLLBACK | ROWS | SCHEMA | SECOND
  | SERIALIZABLE | SESSION | SET | SHOW | SINK | SINKS
  | SOURCE | SOURCES | START | TABLES | TEMP | TEMPORARY
  | TIES | TRANSACTION | UNBOUNDED | UNCOMMITTED | UNKNOWN | UPDATE
  | VARYING | VIEW | VIEWS | WATERMARK | WITHIN | WITHOUT
  | WORK | WRITE | YEAR | ZONE
  ;

bareLabelKeyword
  : ABORT | APPEND | BEGIN | BY | CASCADE | CHARACTERISTICS
  | CLOSE | COMMIT | COMMITTED | CURRENT | DELETE_P | DESCRIBE
  | DESCRIPTOR | DOUBLE | DROP | ENCODE | EXPLAIN | FIRST
  | FLUSH | FOLLOWING | FORMAT | GROUPS | IF | INCLUDE
  | INDEX | INSERT | ISOLATION | KEY | LAST | LATENESS
  | LEVEL | LOCAL | MATERIALIZED | NAMES | NEXT | NO
  | NULLS | OFF | PARTITION | PRECEDING | RANGE | READ
  | RECURSIVE | REPEATABLE | RESET | RESTRICT | ROLLBACK | ROWS
  | SCHEMA | SERIALIZABLE | SESSION | SET | SHOW | SINK
  | SINKS | SOURCE | SOURCES | START | TABLES | TEMP
  | TEMPORARY | TIES | TRANSACTION | UNBOUNDED | UNCOMMITTED | UNKNOWN
  | UPDATE | VIEW | VIEWS | WATERMARK | WORK | WRITE
  | ZONE | BIGINT | BIT | BOOLEAN | CHAR | CHARACTER
  | COALESCE | DEC | DECIMAL | EXISTS | EXTRACT | FLOAT
  | GREATEST | GROUPING | INOUT | INT | INTEGER | INTERVAL
  | LEAST | NATIONAL | NCHAR | NONE | NORMALIZE | NULLIF
  | NUMERIC | OUT_P | OVERLAY | POSITION | REAL | ROW
  | SETOF | SMALLINT | SUBSTRING | TIME | TIMESTAMP | TREAT
  | TRIM | VALUES | VARCHAR | XMLATTRIBUTES | XMLCONCAT | XMLELEMENT
  | XMLEXISTS | XMLFOREST | XMLNAMESPACES | XMLPARSE | XMLPI | XMLROOT
  | XMLSERIALIZE | XMLTABLE | AUTHORIZATION | BINARY | COLLATION | CONCURRENTLY
  | CURRENT_SCHEMA | FREEZE | TABLESAMPLE | VERBOSE
  ;

// =================================================================================================
// Lexer

// Punctuation and operators. The lexer takes the longest match, so `->>` wins over `->` and `<=`
// over `<`. Like PostgreSQL, `a<-1` is `a < -1`: no operator token ends in `-` unless it holds a
// character such as `#`.
TYPECAST: '::';
COLON: ':';
SEMI: ';';
COMMA: ',';
DOT: '.';
LPAREN: '(';
RPAREN: ')';
LBRACKET: '[';
RBRACKET: ']';
PLUS: '+';
MINUS: '-';
STAR: '*';
SLASH: '/';
PERCENT: '%';
CARET: '^';
EQ: '=';
NOT_EQUALS: '<>';
BANG_EQUALS: '!=';
LT: '<';
LESS_EQUALS: '<=';
GT: '>';
GREATER_EQUALS: '>=';
CONCAT: '||';
TILDE: '~';
NOT_TILDE: '!~';
TILDE_STAR: '~*';
NOT_TILDE_STAR: '!~*';
// LIKE's operators, written out: x ~~ 'a%' is x LIKE 'a%'.
DOUBLE_TILDE: '~~';
NOT_DOUBLE_TILDE: '!~~';
DOUBLE_TILDE_STAR: '~~*';
NOT_DOUBLE_TILDE_STAR: '!~~*';
ARROW: '->';
DOUBLE_ARROW: '->>';
HASH_ARROW: '#>';
HASH_DOUBLE_ARROW: '#>>';
HASH_MINUS: '#-';
AT_GREATER: '@>';
LESS_AT: '<@';
AMPERSAND_AMPERSAND: '&&';
AMPERSAND: '&';
PIPE: '|';
HASH: '#';
SHIFT_LEFT: '<<';
SHIFT_RIGHT: '>>';
AT_SIGN: '@';
QUESTION: '?';
QUESTION_PIPE: '?|';
QUESTION_AMPERSAND: '?&';
SQUARE_ROOT: '|/';
CUBE_ROOT: '||/';

// Literals. A number keeps its text; the binder picks INTEGER, BIGINT or NUMERIC from it as
// PostgreSQL does.
INTEGER_LITERAL: DIGIT+;
DECIMAL_LITERAL
  : DIGIT+ '.' DIGIT* EXPONENT?
  | '.' DIGIT+ EXPONENT?
  | DIGIT+ EXPONENT
  ;
PARAMETER: '$' DIGIT+;

// 'it''s'; E'a\tb' with C-style escapes; $$anything$$. A string that meets the end of the input
// instead of its closing quote is one UNTERMINATED_* token, which the parser never accepts, so the
// error names it.
STRING: '\'' (~'\'' | '\'\'')* '\'';
ESCAPE_STRING: [eE] '\'' (~['\\] | '\\' . | '\'\'')* '\'';
DOLLAR_STRING: '$$' .*? '$$';
QUOTED_IDENTIFIER: '"' (~'"' | '""')* '"';
UNTERMINATED_STRING: '\'' (~'\'' | '\'\'')*;
UNTERMINATED_ESCAPE_STRING: [eE] '\'' (~['\\] | '\\' . | '\'\'')* '\\'?;
UNTERMINATED_DOLLAR_STRING: '$$' (~'$' | '$' ~'$')* '$'?;
UNTERMINATED_QUOTED_IDENTIFIER: '"' (~'"' | '""')*;

// Keywords, matched before IDENTIFIER so that a keyword wins the tie between equally long matches.
// A `_P` suffix (as in PostgreSQL's gram.y) keeps a token name clear of C and C++ macros such as
// NULL.
ABORT: A B O R T;
ALL: A L L;
ANALYSE: A N A L Y S E;
ANALYZE: A N A L Y Z E;
AND: A N D;
ANY: A N Y;
APPEND: A P P E N D;
ARRAY: A R R A Y;
AS: A S;
ASC: A S C;
ASYMMETRIC: A S Y M M E T R I C;
AT: A T;
AUTHORIZATION: A U T H O R I Z A T I O N;
BEGIN: B E G I N;
BETWEEN: B E T W E E N;
BIGINT: B I G I N T;
BINARY: B I N A R Y;
BIT: B I T;
BOOLEAN: B O O L E A N;
BOTH: B O T H;
BY: B Y;
CASCADE: C A S C A D E;
CASE: C A S E;
CAST: C A S T;
CHAR: C H A R;
CHARACTER: C H A R A C T E R;
CHARACTERISTICS: C H A R A C T E R I S T I C S;
CHECK: C H E C K;
CLOSE: C L O S E;
COALESCE: C O A L E S C E;
COLLATE: C O L L A T E;
COLLATION: C O L L A T I O N;
COLUMN: C O L U M N;
COMMIT: C O M M I T;
COMMITTED: C O M M I T T E D;
CONCURRENTLY: C O N C U R R E N T L Y;
CONSTRAINT: C O N S T R A I N T;
CREATE: C R E A T E;
CROSS: C R O S S;
CURRENT: C U R R E N T;
CURRENT_CATALOG: C U R R E N T '_' C A T A L O G;
CURRENT_DATE: C U R R E N T '_' D A T E;
CURRENT_ROLE: C U R R E N T '_' R O L E;
CURRENT_SCHEMA: C U R R E N T '_' S C H E M A;
CURRENT_TIME: C U R R E N T '_' T I M E;
CURRENT_TIMESTAMP: C U R R E N T '_' T I M E S T A M P;
CURRENT_USER: C U R R E N T '_' U S E R;
DAY: D A Y;
DEC: D E C;
DECIMAL: D E C I M A L;
DEFAULT: D E F A U L T;
DEFERRABLE: D E F E R R A B L E;
DELETE_P: D E L E T E;
DESC: D E S C;
DESCRIBE: D E S C R I B E;
DESCRIPTOR: D E S C R I P T O R;
DISTINCT: D I S T I N C T;
DO: D O;
DOUBLE: D O U B L E;
DROP: D R O P;
ELSE: E L S E;
EMIT: E M I T;
ENCODE: E N C O D E;
END: E N D;
ESCAPE: E S C A P E;
EXCEPT: E X C E P T;
EXISTS: E X I S T S;
EXPLAIN: E X P L A I N;
EXTRACT: E X T R A C T;
FALSE_P: F A L S E;
FETCH: F E T C H;
FILTER: F I L T E R;
FIRST: F I R S T;
FLOAT: F L O A T;
FLUSH: F L U S H;
FOLLOWING: F O L L O W I N G;
FOR: F O R;
FOREIGN: F O R E I G N;
FORMAT: F O R M A T;
FREEZE: F R E E Z E;
FROM: F R O M;
FULL: F U L L;
GRANT: G R A N T;
GREATEST: G R E A T E S T;
GROUP: G R O U P;
GROUPING: G R O U P I N G;
GROUPS: G R O U P S;
HAVING: H A V I N G;
HOUR: H O U R;
IF: I F;
ILIKE: I L I K E;
IN_P: I N;
INCLUDE: I N C L U D E;
INDEX: I N D E X;
INITIALLY: I N I T I A L L Y;
INNER: I N N E R;
INOUT: I N O U T;
INSERT: I N S E R T;
INT: I N T;
INTEGER: I N T E G E R;
INTERSECT: I N T E R S E C T;
INTERVAL: I N T E R V A L;
INTO: I N T O;
IS: I S;
ISNULL: I S N U L L;
ISOLATION: I S O L A T I O N;
JOIN: J O I N;
KEY: K E Y;
LAST: L A S T;
LATENESS: L A T E N E S S;
LATERAL: L A T E R A L;
LEADING: L E A D I N G;
LEAST: L E A S T;
LEFT: L E F T;
LEVEL: L E V E L;
LIKE: L I K E;
LIMIT: L I M I T;
LOCAL: L O C A L;
LOCALTIME: L O C A L T I M E;
LOCALTIMESTAMP: L O C A L T I M E S T A M P;
MATERIALIZED: M A T E R I A L I Z E D;
MINUTE: M I N U T E;
MONTH: M O N T H;
NAMES: N A M E S;
NATIONAL: N A T I O N A L;
NATURAL: N A T U R A L;
NCHAR: N C H A R;
NEXT: N E X T;
NO: N O;
NONE: N O N E;
NORMALIZE: N O R M A L I Z E;
NOT: N O T;
NOTNULL: N O T N U L L;
NULL_P: N U L L;
NULLIF: N U L L I F;
NULLS: N U L L S;
NUMERIC: N U M E R I C;
OFF: O F F;
OFFSET: O F F S E T;
ON: O N;
ONLY: O N L Y;
OPERATOR: O P E R A T O R;
OR: O R;
ORDER: O R D E R;
OUT_P: O U T;
OUTER: O U T E R;
OVER: O V E R;
OVERLAPS: O V E R L A P S;
OVERLAY: O V E R L A Y;
PARTITION: P A R T I T I O N;
PLACING: P L A C I N G;
POSITION: P O S I T I O N;
PRECEDING: P R E C E D I N G;
PRECISION: P R E C I S I O N;
PRIMARY: P R I M A R Y;
RANGE: R A N G E;
READ: R E A D;
REAL: R E A L;
RECURSIVE: R E C U R S I V E;
REFERENCES: R E F E R E N C E S;
REPEATABLE: R E P E A T A B L E;
RESET: R E S E T;
RESTRICT: R E S T R I C T;
RETURNING: R E T U R N I N G;
RIGHT: R I G H T;
ROLLBACK: R O L L B A C K;
ROW: R O W;
ROWS: R O W S;
SCHEMA: S C H E M A;
SECOND: S E C O N D;
SELECT: S E L E C T;
SERIALIZABLE: S E R I A L I Z A B L E;
SESSION: S E S S I O N;
SESSION_USER: S E S S I O N '_' U S E R;
SET: S E T;
SETOF: S E T O F;
SHOW: S H O W;
SIMILAR: S I M I L A R;
SINK: S I N K;
SINKS: S I N K S;
SMALLINT: S M A L L I N T;
SOME: S O M E;
SOURCE: S O U R C E;
SOURCES: S O U R C E S;
START: S T A R T;
SUBSTRING: S U B S T R I N G;
SYMMETRIC: S Y M M E T R I C;
TABLE: T A B L E;
TABLES: T A B L E S;
TABLESAMPLE: T A B L E S A M P L E;
TEMP: T E M P;
TEMPORARY: T E M P O R A R Y;
THEN: T H E N;
TIES: T I E S;
TIME: T I M E;
TIMESTAMP: T I M E S T A M P;
TO: T O;
TRAILING: T R A I L I N G;
TRANSACTION: T R A N S A C T I O N;
TREAT: T R E A T;
TRIM: T R I M;
TRUE_P: T R U E;
UNBOUNDED: U N B O U N D E D;
UNCOMMITTED: U N C O M M I T T E D;
UNION: U N I O N;
UNIQUE: U N I Q U E;
UNKNOWN: U N K N O W N;
UPDATE: U P D A T E;
USER: U S E R;
USING: U S I N G;
VALUES: V A L U E S;
VARCHAR: V A R C H A R;
VARIADIC: V A R I A D I C;
VARYING: V A R Y I N G;
VERBOSE: V E R B O S E;
VIEW: V I E W;
VIEWS: V I E W S;
WATERMARK: W A T E R M A R K;
WHEN: W H E N;
WHERE: W H E R E;
WINDOW: W I N D O W;
WITH: W I T H;
WITHIN: W I T H I N;
WITHOUT: W I T H O U T;
WORK: W O R K;
WRITE: W R I T E;
XMLATTRIBUTES: X M L A T T R I B U T E S;
XMLCONCAT: X M L C O N C A T;
XMLELEMENT: X M L E L E M E N T;
XMLEXISTS: X M L E X I S T S;
XMLFOREST: X M L F O R E S T;
XMLNAMESPACES: X M L N A M E S P A C E S;
XMLPARSE: X M L P A R S E;
XMLPI: X M L P I;
XMLROOT: X M L R O O T;
XMLSERIALIZE: X M L S E R I A L I Z E;
XMLTABLE: X M L T A B L E;
YEAR: Y E A R;
ZONE: Z O N E;

IDENTIFIER: IDENTIFIER_START IDENTIFIER_PART*;

// PostgreSQL nests block comments. An unterminated one lexes as `/` followed by `*`, which the
// parser rejects and Parse() reports as an unterminated comment.
BLOCK_COMMENT: '/*' (BLOCK_COMMENT | .)*? '*/' -> skip;
LINE_COMMENT: '--' ~[\r\n]* -> skip;
WHITESPACE: [ \t\r\n\f\u000B]+ -> skip;

// Anything else is a token of its own, so the parser reports `syntax error at or near "?"` as
// PostgreSQL does.
ERROR_CHARACTER: .;

fragment DIGIT: [0-9];
fragment EXPONENT: [eE] [+-]? DIGIT+;
fragment IDENTIFIER_START: [a-zA-Z_\u0080-\u{10FFFF}];
fragment IDENTIFIER_PART: [a-zA-Z_0-9$\u0080-\u{10FFFF}];

fragment A: [aA];
fragment B: [bB];
fragment C: [cC];
fragment D: [dD];
fragment E: [eE];
fragment F: [fF];
fragment G: [gG];
fragment H: [hH];
fragment I: [iI];
fragment J: [jJ];
fragment K: [kK];
fragment L: [lL];
fragment M: [mM];
fragment N: [nN];
fragment O: [oO];
fragment P: [pP];
fragment Q: [qQ];
fragment R: [rR];
fragment S: [sS];
fragment T: [tT];
fragment U: [uU];
fragment V: [vV];
fragment W: [wW];
fragment X: [xX];
fragment Y: [yY];
fragment Z: [zZ];
