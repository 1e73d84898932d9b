using System.Reflection;
using MlConnector.Engine.BusinessCentral;
using MlConnector.Engine.Connections;
using MlConnector.Engine.Marketo;

namespace MlConnector.Engine.Tests.Connections;

/// <summary>
/// Connection settings are copied in one place each (profile conversions, Copy()). These tests fill every settable
/// field with a value unlike its default and check that it survives, so a field added later without being copied
/// (or without being declared not saved) fails here.
/// </summary>
public sealed class ConnectionSettingsTests
{
    [Fact]
    public void A_Business_Central_profile_keeps_every_settings_field_it_does_not_declare_not_saved()
    {
        var settings = Filled(new BusinessCentralSettings());
        var back = BusinessCentralProfile.From(settings, "vault", "secret", clientCertificateThumbprint: null).ToSettings();
        AssertSame(settings, back, BusinessCentralProfile.NotSaved);
        AssertDefaults(back, new BusinessCentralSettings(), BusinessCentralProfile.NotSaved);
    }

    [Fact]
    public void A_Marketo_profile_keeps_every_settings_field_it_does_not_declare_not_saved()
    {
        var settings = Filled(new MarketoSettings());
        var back = MarketoProfile.From(settings, "vault", "secret").ToSettings();
        AssertSame(settings, back, MarketoProfile.NotSaved);
        AssertDefaults(back, new MarketoSettings(), MarketoProfile.NotSaved);
    }

    [Fact]
    public void Profiles_hold_no_field_the_settings_do_not_have_besides_where_the_credential_lives()
    {
        string[] credential = ["Vault", "SecretName", "ClientCertificateThumbprint"];
        Assert.Empty(Writable(typeof(BusinessCentralProfile)).Select(p => p.Name).Except(Writable(typeof(BusinessCentralSettings)).Select(p => p.Name)).Except(credential));
        Assert.Empty(Writable(typeof(MarketoProfile)).Select(p => p.Name).Except(Writable(typeof(MarketoSettings)).Select(p => p.Name)).Except(credential));
        Assert.All(BusinessCentralProfile.NotSaved.Concat(MarketoProfile.NotSaved), name =>
            Assert.Contains(name, Writable(typeof(BusinessCentralSettings)).Concat(Writable(typeof(MarketoSettings))).Select(p => p.Name)));
    }

    [Fact]
    public void A_profile_saved_from_a_certificate_keeps_its_thumbprint_and_no_vault()
    {
        var profile = BusinessCentralProfile.From(Filled(new BusinessCentralSettings()), "vault", "secret", "AB12");
        Assert.Equal("AB12", profile.ClientCertificateThumbprint);
        Assert.Null(profile.Vault);
        Assert.Null(profile.SecretName);
    }

    [Fact]
    public void Copy_of_Business_Central_settings_keeps_every_field_and_its_own_retry_options()
    {
        var settings = Filled(new BusinessCentralSettings());
        var copy = settings.Copy();
        AssertSame(settings, copy, []);
        Assert.NotSame(settings.Retry, copy.Retry);
        copy.PageSize = 1;
        copy.Retry.MaxAttempts = 1;
        Assert.NotEqual(1, settings.PageSize);
        Assert.NotEqual(1, settings.Retry.MaxAttempts);
    }

    private static PropertyInfo[] Writable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite && p.SetMethod!.IsPublic).ToArray();

    /// <summary>Every writable property set to a value that differs from its default (nested option objects filled too).</summary>
    private static T Filled<T>(T target) where T : class
    {
        var index = 0;
        foreach (var property in Writable(typeof(T)))
        {
            index++;
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            object value = type switch
            {
                _ when type == typeof(string) => $"value-{index}",
                _ when type == typeof(Uri) => new Uri($"https://field{index}.example/"),
                _ when type == typeof(int) => 2 + index,
                _ when type == typeof(bool) => true,
                _ when type == typeof(TimeSpan) => TimeSpan.FromSeconds(7 + index),
                _ when type.IsEnum => Enum.GetValues(type).GetValue(Enum.GetValues(type).Length - 1)!,
                _ when type == typeof(BcRetryOptions) => Filled(new BcRetryOptions()),
                _ when type == typeof(MarketoRetryOptions) => Filled(new MarketoRetryOptions()),
                _ => throw new InvalidOperationException($"Teach this test a value for {typeof(T).Name}.{property.Name} ({type.Name})."),
            };
            property.SetValue(target, value);
        }
        return target;
    }

    private static void AssertSame<T>(T expected, T actual, IReadOnlyCollection<string> except)
    {
        foreach (var property in Writable(typeof(T)).Where(p => !except.Contains(p.Name)))
        {
            var want = property.GetValue(expected);
            var got = property.GetValue(actual);
            if (want is BcRetryOptions or MarketoRetryOptions) AssertSameOptions(want, got!, property.Name);
            else Assert.True(Equals(want, got), $"{typeof(T).Name}.{property.Name} was not copied: expected {want}, got {got}.");
        }
    }

    private static void AssertSameOptions(object expected, object actual, string name)
    {
        foreach (var property in Writable(expected.GetType()))
            Assert.True(Equals(property.GetValue(expected), property.GetValue(actual)), $"{name}.{property.Name} was not copied.");
    }

    /// <summary>Fields a profile does not keep come back at their default, not at some half-copied value.</summary>
    private static void AssertDefaults<T>(T actual, T defaults, IReadOnlyCollection<string> notSaved)
    {
        foreach (var property in Writable(typeof(T)).Where(p => notSaved.Contains(p.Name)))
        {
            var want = property.GetValue(defaults);
            var got = property.GetValue(actual);
            if (want is BcRetryOptions or MarketoRetryOptions) AssertSameOptions(want, got!, property.Name);
            else Assert.True(Equals(want, got), $"{typeof(T).Name}.{property.Name} should be back at its default after a reconnect.");
        }
    }
}
