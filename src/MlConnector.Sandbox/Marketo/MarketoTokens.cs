using MlConnector.Sandbox.Core;

namespace MlConnector.Sandbox.Marketo;

/// <summary>
/// The custom service's access token. Identity returns the same token (with its remaining lifetime)
/// until it expires, then mints a new one. A REST call with an expired token gets 602 the first time and
/// 601 afterwards (vendor note §1, blog "Exception and Error Handling: Part 3") — surprising, but clients
/// that only handle 602 break on the second call.
/// </summary>
public sealed class MarketoTokens(MarketoOptions options, SandboxClock clock)
{
    private readonly object _gate = new();
    private readonly Dictionary<string, bool> _expired = new(StringComparer.Ordinal);
    private readonly List<string> _minted = new();
    private string? _current;
    private DateTimeOffset _expiresAt;

    public int Issued { get; private set; }

    /// <summary>Every token identity has minted, oldest first: leak tests look for them by value.</summary>
    public IReadOnlyList<string> Minted()
    {
        lock (_gate) return _minted.ToArray();
    }

    /// <summary>The current token and its remaining lifetime in whole seconds; mints one if none is valid.</summary>
    public (string Token, int ExpiresIn) Issue()
    {
        lock (_gate)
        {
            var now = clock.GetUtcNow();
            if (_current is null || now >= _expiresAt)
            {
                Retire();
                _current = Guid.NewGuid().ToString("D") + ":int";
                _minted.Add(_current);
                _expiresAt = now + options.TokenLifetime;
                Issued++;
            }
            return (_current, (int)Math.Max(0, Math.Floor((_expiresAt - now).TotalSeconds)));
        }
    }

    /// <summary>Null when the token is good; otherwise the response-level code ("601" or "602").</summary>
    public string? Check(string? token)
    {
        if (string.IsNullOrEmpty(token)) return "601";
        lock (_gate)
        {
            if (token == _current)
            {
                if (clock.GetUtcNow() < _expiresAt) return null;
                Retire();
            }
            if (!_expired.TryGetValue(token, out var reported)) return "601";
            if (reported) return "601";
            _expired[token] = true;
            return "602";
        }
    }

    /// <summary>Admin: makes the current token expire now (next identity call mints a new one).</summary>
    public void ExpireNow()
    {
        lock (_gate) Retire();
    }

    private void Retire()
    {
        if (_current is not null) _expired[_current] = false;
        _current = null;
    }
}
