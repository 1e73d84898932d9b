using System.Diagnostics.CodeAnalysis;

namespace MlConnector.Engine.Security;

/// <summary>
/// OWASP's CSV-injection defence: Excel, LibreOffice and Google Sheets run a cell whose first character is
/// =, +, -, @, tab or carriage return as a formula; a leading single quote makes them show it as text instead.
/// Only for output meant for a spreadsheet: the quote becomes part of the value for any other reader.
/// </summary>
public static class SpreadsheetCell
{
    private const string FormulaStart = "=+-@\t\r";

    public static bool LooksLikeFormula(string? value) => !string.IsNullOrEmpty(value) && FormulaStart.Contains(value[0], StringComparison.Ordinal);

    [return: NotNullIfNotNull(nameof(value))]
    public static string? Escape(string? value) => LooksLikeFormula(value) ? "'" + value : value;
}
