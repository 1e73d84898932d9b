using MlConnector.Sandbox;

// STUB: the Entra/BC helper completes argument parsing and the one-line JSON readiness report.
var options = new SandboxOptions();
await using var host = await SandboxHost.StartAsync(options);
Console.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { httpBaseUri = host.HttpBaseUri, httpsBaseUri = host.HttpsBaseUri, certificateThumbprint = host.CertificateThumbprint }));
var stop = new TaskCompletionSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; stop.TrySetResult(); };
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.TrySetResult();
await stop.Task;
return 0;
