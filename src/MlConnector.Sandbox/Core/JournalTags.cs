using Microsoft.AspNetCore.Http;

namespace MlConnector.Sandbox.Core;

/// <summary>What a simulator tells the journal about a response it produced (error code, record count, quota accounting).</summary>
public static class JournalTags
{
    private const string ErrorCodeKey = "sandbox.errorCode";
    private const string RecordCountKey = "sandbox.recordCount";
    private const string NotCountedKey = "sandbox.notCounted";

    public static void SetErrorCode(HttpContext context, string? code) => context.Items[ErrorCodeKey] = code;

    public static void SetRecordCount(HttpContext context, int count) => context.Items[RecordCountKey] = count;

    /// <summary>Marks a call as not counting against the vendor's limits (Marketo identity calls, calls failing with 601/602/...).</summary>
    public static void SetNotCounted(HttpContext context) => context.Items[NotCountedKey] = true;

    public static string? ErrorCode(HttpContext context) => context.Items.TryGetValue(ErrorCodeKey, out var v) ? v as string : null;

    public static int RecordCount(HttpContext context) => context.Items.TryGetValue(RecordCountKey, out var v) && v is int i ? i : 0;

    public static bool Counted(HttpContext context) => !context.Items.ContainsKey(NotCountedKey);
}
