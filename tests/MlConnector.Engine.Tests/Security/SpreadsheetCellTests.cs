using MlConnector.Engine.Security;

namespace MlConnector.Engine.Tests.Security;

public sealed class SpreadsheetCellTests
{
    [Theory]
    [InlineData("=cmd|'/Ccalc'!A0", "'=cmd|'/Ccalc'!A0")]
    [InlineData("+1-555-0100", "'+1-555-0100")]
    [InlineData("-2+3", "'-2+3")]
    [InlineData("@SUM(A1:A2)", "'@SUM(A1:A2)")]
    [InlineData("\t=1", "'\t=1")]
    [InlineData("\r=1", "'\r=1")]
    [InlineData("C10000", "C10000")]
    [InlineData("a=b", "a=b")]
    [InlineData("'quoted", "'quoted")]
    [InlineData("", "")]
    [InlineData(null, null)]
    public void Only_cells_a_spreadsheet_would_run_as_a_formula_get_a_leading_quote(string? value, string? expected)
        => Assert.Equal(expected, SpreadsheetCell.Escape(value));
}
