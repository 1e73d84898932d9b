using MlConnector.Engine.Mapping;

namespace MlConnector.Engine.Tests.Mapping;

/// <summary>The engine's email rules pinned with literal cases: every shape the sandbox seeds, and the edges.</summary>
public sealed class EmailRulesTests
{
    [Theory]
    [InlineData("ann.lee@contoso.example")]
    [InlineData(" ann.lee@contoso.example ")]
    [InlineData("Ann.lee@CONTOSO.EXAMPLE")]
    [InlineData("ann+news@mail.contoso-gmbh.example")]
    [InlineData("o'brien@contoso.co.uk")]
    [InlineData("ann.lee.purchasing.department.accounts.payable.invoic@contoso.example")]
    public void Usable_emails_have_no_problem(string email) => Assert.Null(EmailRules.Problem(email));

    [Theory]
    [InlineData(null, EmailRules.Missing)]
    [InlineData("", EmailRules.Missing)]
    [InlineData("  \t", EmailRules.Missing)]
    [InlineData("ann.lee@", EmailRules.Invalid)]
    [InlineData("ann.lee.contoso.example", EmailRules.Invalid)]
    [InlineData("ann lee@contoso.example", EmailRules.Invalid)]
    [InlineData("ann.lee@@contoso.example", EmailRules.Invalid)]
    [InlineData("ann.lee@contoso", EmailRules.Invalid)]
    [InlineData("ann..lee@contoso.example", EmailRules.Invalid)]
    [InlineData("ann,lee@contoso.example", EmailRules.Invalid)]
    [InlineData("ann@-contoso.example", EmailRules.Invalid)]
    [InlineData("ann@contoso.e", EmailRules.Invalid)]
    public void Unusable_emails_name_their_problem(string? email, string problem) => Assert.Equal(problem, EmailRules.Problem(email));

    [Fact]
    public void The_length_limit_is_Marketos_255_characters_after_trimming()
    {
        var at255 = new string('a', 255 - "@x.example".Length) + "@x.example";
        Assert.Null(EmailRules.Problem(at255));
        Assert.Null(EmailRules.Problem("  " + at255 + "  "));
        Assert.Equal(EmailRules.TooLong, EmailRules.Problem("a" + at255));
    }

    [Theory]
    [InlineData(" Ann.Lee@CONTOSO.example ", "ann.lee@contoso.example")]
    [InlineData("ann.lee@contoso.example", "ann.lee@contoso.example")]
    public void Normalize_trims_and_lowercases(string email, string key) => Assert.Equal(key, EmailRules.Normalize(email));

    [Fact]
    public void Normalize_lowercases_invariantly_under_a_turkish_culture()
    {
        var original = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            System.Globalization.CultureInfo.CurrentCulture = new System.Globalization.CultureInfo("tr-TR");
            Assert.Equal("info@contoso.example", EmailRules.Normalize("INFO@Contoso.example"));
        }
        finally { System.Globalization.CultureInfo.CurrentCulture = original; }
    }
}
