using System.Globalization;
using System.Text.RegularExpressions;

namespace MlConnector.Sandbox.BusinessCentral;

/// <summary>
/// A parsed $filter: the predicate, the fields it reads, the top-level "field eq value" terms joined by and, and
/// (<see cref="AnyOf"/>) the values one field must equal one of for a row to match — what an index seek can use.
/// </summary>
public sealed record ODataFilter(Func<object, bool> Matches, IReadOnlySet<string> Fields, IReadOnlyDictionary<string, object?> Equalities, FieldValues? AnyOf = null);

/// <summary>"field eq v1 or field eq v2 ...": a row matches the filter only if its field equals one of the values.</summary>
public sealed record FieldValues(string Field, IReadOnlyList<object?> Values);

/// <summary>
/// The $filter subset BC serves: eq ne gt ge lt le, and, or (only on one field), not, parentheses,
/// startswith/endswith/contains, tolower/toupper; literals typed by the property they meet.
/// </summary>
public static partial class ODataFilterParser
{
    private static readonly string[] Comparisons = ["eq", "ne", "gt", "ge", "lt", "le"];

    public static ODataFilter Parse(string text, EntityShape shape)
    {
        var parser = new Parser(Tokenize(text), shape);
        var result = parser.ParseOr();
        if (!parser.AtEnd) throw BcErrors.Syntax();
        return result;
    }

    private enum Kind { Word, Quoted, Open, Close, Comma }

    private sealed record Token(Kind Kind, string Text);

    private static List<Token> Tokenize(string text)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            if (c is '(' or ')' or ',') { tokens.Add(new Token(c == '(' ? Kind.Open : c == ')' ? Kind.Close : Kind.Comma, c.ToString())); i++; continue; }
            if (c == '\'') { tokens.Add(new Token(Kind.Quoted, ReadQuoted(text, ref i))); continue; }
            var start = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not ('(' or ')' or ',' or '\'')) i++;
            var word = text[start..i];
            // Typed enum literal: Microsoft.NAV.customerBlocked'Ship'
            if (i < text.Length && text[i] == '\'' && word.StartsWith("Microsoft.NAV.", StringComparison.Ordinal)) { tokens.Add(new Token(Kind.Quoted, ReadQuoted(text, ref i))); continue; }
            tokens.Add(new Token(Kind.Word, word));
        }
        return tokens;
    }

    private static string ReadQuoted(string text, ref int i)
    {
        var builder = new System.Text.StringBuilder();
        i++;
        while (true)
        {
            if (i >= text.Length) throw BcErrors.Syntax();
            if (text[i] == '\'')
            {
                if (i + 1 < text.Length && text[i + 1] == '\'') { builder.Append('\''); i += 2; continue; }
                i++;
                return builder.ToString();
            }
            builder.Append(text[i++]);
        }
    }

    private sealed class Parser(List<Token> tokens, EntityShape shape)
    {
        private int _position;

        public bool AtEnd => _position >= tokens.Count;

        private Token? Peek => AtEnd ? null : tokens[_position];

        private bool IsWord(string word) => Peek is { Kind: Kind.Word } t && string.Equals(t.Text, word, StringComparison.Ordinal);

        private Token Next() => AtEnd ? throw BcErrors.Syntax() : tokens[_position++];

        private void Expect(Kind kind)
        {
            if (Next().Kind != kind) throw BcErrors.Syntax();
        }

        public ODataFilter ParseOr()
        {
            var left = ParseAnd();
            while (IsWord("or"))
            {
                _position++;
                var right = ParseAnd();
                var fields = new HashSet<string>(left.Fields.Concat(right.Fields), StringComparer.Ordinal);
                if (fields.Count > 1) throw new BcException(400, "BadRequest_NotSupported", "The 'OR' operator is not supported on distinct fields on an OData filter.");
                var (l, r) = (left.Matches, right.Matches);
                var anyOf = left.AnyOf is { } a && right.AnyOf is { } b && a.Field == b.Field ? new FieldValues(a.Field, [.. a.Values, .. b.Values]) : null;
                left = new ODataFilter(row => l(row) || r(row), fields, new Dictionary<string, object?>(), anyOf);
            }
            return left;
        }

        private ODataFilter ParseAnd()
        {
            var left = ParseUnary();
            while (IsWord("and"))
            {
                _position++;
                var right = ParseUnary();
                var (l, r) = (left.Matches, right.Matches);
                var equalities = new Dictionary<string, object?>(left.Equalities);
                foreach (var pair in right.Equalities) equalities[pair.Key] = pair.Value;
                left = new ODataFilter(row => l(row) && r(row), new HashSet<string>(left.Fields.Concat(right.Fields), StringComparer.Ordinal), equalities,
                    left.AnyOf ?? right.AnyOf);
            }
            return left;
        }

        private ODataFilter ParseUnary()
        {
            if (IsWord("not"))
            {
                _position++;
                var inner = ParseUnary();
                return new ODataFilter(row => !inner.Matches(row), inner.Fields, new Dictionary<string, object?>());
            }
            if (Peek?.Kind == Kind.Open)
            {
                _position++;
                var inner = ParseOr();
                Expect(Kind.Close);
                return inner;
            }
            if (Peek is { Kind: Kind.Word } word && word.Text is "startswith" or "endswith" or "contains")
                return ParseStringFunction(Next().Text);
            return ParseComparison();
        }

        private ODataFilter ParseStringFunction(string function)
        {
            Expect(Kind.Open);
            var (property, read) = ParseOperand();
            if (property.Kind != EdmKind.String) throw Incompatible(property.Edm.Type, "Edm.String", function);
            Expect(Kind.Comma);
            var argument = Next();
            if (argument.Kind != Kind.Quoted) throw Incompatible(property.Edm.Type, LiteralType(argument.Text), function);
            Expect(Kind.Close);
            var needle = argument.Text;
            Func<string, bool> test = function switch
            {
                "startswith" => s => s.StartsWith(needle, StringComparison.Ordinal),
                "endswith" => s => s.EndsWith(needle, StringComparison.Ordinal),
                _ => s => s.Contains(needle, StringComparison.Ordinal),
            };
            return new ODataFilter(row => test(read(row) as string ?? ""), new HashSet<string> { property.Name }, new Dictionary<string, object?>());
        }

        private (BcProperty Property, Func<object, object?> Read) ParseOperand()
        {
            var token = Next();
            if (token.Kind != Kind.Word) throw BcErrors.Syntax();
            if (token.Text is "tolower" or "toupper" or "trim")
            {
                Expect(Kind.Open);
                var (inner, read) = ParseOperand();
                Expect(Kind.Close);
                Func<string, string> map = token.Text switch { "tolower" => s => s.ToLowerInvariant(), "toupper" => s => s.ToUpperInvariant(), _ => s => s.Trim() };
                return (inner, row => read(row) is string s ? map(s) : null);
            }
            if (!IsIdentifier(token.Text)) throw BcErrors.Syntax();
            var property = shape.Property(token.Text);
            if (!property.Filterable) throw BcErrors.ComputedFieldFilter(property.Name, shape.EntitySet);
            return (property, property.Get);
        }

        private ODataFilter ParseComparison()
        {
            var (property, read) = ParseOperand();
            var op = Next();
            if (op.Kind != Kind.Word || !Comparisons.Contains(op.Text)) throw BcErrors.Syntax();
            var literal = Next();
            var value = Convert(property, literal, op.Text);
            Func<int, bool> test = op.Text switch
            {
                "eq" => c => c == 0, "ne" => c => c != 0, "gt" => c => c > 0, "ge" => c => c >= 0, "lt" => c => c < 0, _ => c => c <= 0,
            };
            var equalities = new Dictionary<string, object?>();
            if (op.Text == "eq") equalities[property.Name] = value;
            // Only a plain property (not tolower(...)) compared with eq can be looked up by value.
            var anyOf = op.Text == "eq" && ReferenceEquals(read, property.Get) ? new FieldValues(property.Name, [value]) : null;
            return new ODataFilter(row => test(ODataValues.Compare(read(row), value)), new HashSet<string> { property.Name }, equalities, anyOf);
        }
    }

    private static object? Convert(BcProperty property, Token literal, string op)
    {
        if (literal.Kind == Kind.Word && literal.Text == "null") return null;
        var text = literal.Text;
        var ok = (property.Kind, literal.Kind) switch
        {
            (EdmKind.String, Kind.Quoted) => true,
            (EdmKind.Enum, Kind.Quoted) => true,
            (EdmKind.Guid, Kind.Word) => GuidLiteral().IsMatch(text),
            (EdmKind.DateTimeOffset, Kind.Word) => DateTimeLiteral().IsMatch(text),
            (EdmKind.Date, Kind.Word) => DateLiteral().IsMatch(text),
            (EdmKind.Boolean, Kind.Word) => text is "true" or "false",
            (EdmKind.Decimal or EdmKind.Int32 or EdmKind.Int64, Kind.Word) => NumberLiteral().IsMatch(text),
            _ => false,
        };
        if (!ok)
        {
            if (literal.Kind == Kind.Word && !IsLiteral(text)) throw BcErrors.Syntax();
            throw Incompatible(property.Edm.Type, literal.Kind == Kind.Quoted ? "Edm.String" : LiteralType(text), op);
        }
        return property.Kind switch
        {
            EdmKind.String => text,
            EdmKind.Enum => EnumMember(property, text),
            EdmKind.Guid => Guid.Parse(text, CultureInfo.InvariantCulture),
            EdmKind.DateTimeOffset => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal),
            EdmKind.Date => DateOnly.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture),
            EdmKind.Boolean => text == "true",
            EdmKind.Int32 or EdmKind.Int64 => long.Parse(text, CultureInfo.InvariantCulture),
            _ => decimal.Parse(text.TrimEnd('m', 'M'), NumberStyles.Float, CultureInfo.InvariantCulture),
        };
    }

    public static string EnumMember(BcProperty property, string text)
    {
        if (text == " " || text.Length == 0) text = BcEnums.Blank;
        return property.EnumMembers!.FirstOrDefault(m => string.Equals(m, text, StringComparison.OrdinalIgnoreCase))
            ?? throw BcErrors.BadRequest($"The string '{text}' is not a valid enumeration type constant.");
    }

    private static BcException Incompatible(string left, string right, string op)
        => BcErrors.BadRequest($"A binary operator with incompatible types was detected. Found operand types '{left}' and '{right}' for operator kind '{op}'.");

    private static bool IsIdentifier(string text) => IdentifierPattern().IsMatch(text);

    private static bool IsLiteral(string text) => text is "true" or "false" or "null" || GuidLiteral().IsMatch(text) || DateTimeLiteral().IsMatch(text) || DateLiteral().IsMatch(text) || NumberLiteral().IsMatch(text);

    private static string LiteralType(string text)
        => GuidLiteral().IsMatch(text) ? "Edm.Guid" : DateTimeLiteral().IsMatch(text) ? "Edm.DateTimeOffset" : DateLiteral().IsMatch(text) ? "Edm.Date"
            : text is "true" or "false" ? "Edm.Boolean" : text.Contains('.', StringComparison.Ordinal) ? "Edm.Decimal" : "Edm.Int32";

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")]
    private static partial Regex GuidLiteral();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex DateTimeLiteral();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}$")]
    private static partial Regex DateLiteral();

    [GeneratedRegex(@"^-?\d+(\.\d+)?([eE][+-]?\d+)?[mMdD]?$")]
    private static partial Regex NumberLiteral();
}

/// <summary>Ordering and comparison of property values (ordinal for strings, nulls first).</summary>
public static class ODataValues
{
    public static int Compare(object? a, object? b)
    {
        if (a is null || b is null) return a is null ? (b is null ? 0 : -1) : 1;
        return (a, b) switch
        {
            (string x, string y) => string.CompareOrdinal(x, y),
            (long x, long y) => x.CompareTo(y),
            (decimal x, decimal y) => x.CompareTo(y),
            (long x, decimal y) => ((decimal)x).CompareTo(y),
            (decimal x, long y) => x.CompareTo(y),
            (int x, long y) => ((long)x).CompareTo(y),
            (IComparable x, _) when a.GetType() == b.GetType() => x.CompareTo(b),
            _ => throw BcErrors.Syntax(),
        };
    }
}
