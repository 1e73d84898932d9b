<#
    Azurite, the Azure Storage emulator, for the tests: the table service only.

    Install-Azurite   installs the npm package pinned in build/azurite (package.json + package-lock.json)
                      into .tools/azurite with `npm ci --prefix` (never globally); does nothing when that
                      exact lock is already installed. Needs Node.js and npm on PATH.
    Start-Azurite     starts azurite-table on a free loopback port with in-memory persistence in a
                      temporary working folder, waits until it answers HTTP, and returns the server: Port,
                      TableEndpoint, ConnectionString (the emulator's published development account). With
                      -Https it serves HTTPS with a self-signed certificate made for it (Thumbprint, to pin)
                      and checks bearer tokens (--oauth basic), as the managed-identity tests need; Shared
                      Key (the connection string) keeps working beside it.
    Stop-Azurite      stops it and removes its location.

    The xunit fixture (tests/MlConnector.Engine.Tests/Azurite) starts the same command line and calls
    Install-Azurite when .tools/azurite is missing.
#>
Set-StrictMode -Version 3.0

$script:Root = Split-Path $PSScriptRoot
$script:Pinned = Join-Path $PSScriptRoot 'azurite'
$script:Installed = Join-Path $script:Root '.tools/azurite'

# The emulator's well-known development account (documented by Microsoft; not a secret).
$script:AccountName = 'devstoreaccount1'
$script:AccountKey = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

function Get-AzuriteTableScript {
    Join-Path $script:Installed 'node_modules/azurite/dist/src/table/main.js'
}

function Test-AzuriteInstalled {
    $lock = Join-Path $script:Installed 'package-lock.json'
    (Test-Path (Get-AzuriteTableScript)) -and (Test-Path $lock) -and
        ((Get-FileHash $lock).Hash -eq (Get-FileHash (Join-Path $script:Pinned 'package-lock.json')).Hash)
}

function Install-Azurite {
    [CmdletBinding()]
    [OutputType([string])]
    param()
    New-Item -ItemType Directory -Force -Path $script:Installed | Out-Null
    # Parallel test runs may both find it missing: one installs, the other waits on the lock file.
    $gate = Enter-InstallLock (Join-Path $script:Installed '.install.lock')
    try {
        if (-not (Test-AzuriteInstalled)) {
            $version = (Get-Content -Raw (Join-Path $script:Pinned 'package.json') | ConvertFrom-Json).dependencies.azurite
            Write-Host "Installing azurite $version into $script:Installed (npm ci)"
            Copy-Item (Join-Path $script:Pinned 'package.json'), (Join-Path $script:Pinned 'package-lock.json') $script:Installed -Force
            & npm ci --prefix $script:Installed --no-audit --no-fund --ignore-scripts --loglevel=error | Out-Host
            if ($LASTEXITCODE -ne 0) { throw "npm ci for azurite failed with exit code $LASTEXITCODE (Node.js and npm must be on PATH)." }
        }
    }
    finally { $gate.Dispose() }
    return Get-AzuriteTableScript
}

function Enter-InstallLock([string] $Path) {
    $deadline = [DateTime]::UtcNow.AddMinutes(10)
    while ($true) {
        try { return [IO.File]::Open($Path, 'OpenOrCreate', 'ReadWrite', 'None') }
        catch [IO.IOException] {
            if ([DateTime]::UtcNow -gt $deadline) { throw "Another azurite install has held $Path for 10 minutes." }
            Start-Sleep -Milliseconds 500
        }
    }
}

function Get-FreeLoopbackPort {
    $listener = [Net.Sockets.TcpListener]::new([Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { return $listener.LocalEndpoint.Port }
    finally { $listener.Stop() }
}

function Start-Azurite {
    [CmdletBinding()]
    param(
        # Give up when it has not answered within this long (a loaded machine is slow, not broken).
        [TimeSpan] $Timeout = [TimeSpan]::FromMinutes(2),
        # HTTPS with a certificate made for this server, and bearer tokens checked (--oauth basic).
        [switch] $Https
    )
    $script = Install-Azurite
    # The free port is found, released and handed over; if something takes it meanwhile, try another.
    foreach ($attempt in 1..3) {
        $port = Get-FreeLoopbackPort
        $location = Join-Path ([IO.Path]::GetTempPath()) ("mlc-azurite-" + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory -Path $location | Out-Null
        $start = [Diagnostics.ProcessStartInfo]::new('node')
        foreach ($argument in $script, '--tableHost', '127.0.0.1', '--tablePort', $port, '--inMemoryPersistence',
            '--disableTelemetry', '--silent') { $start.ArgumentList.Add([string] $argument) }
        $thumbprint = $null
        if ($Https) {
            $thumbprint = New-AzuriteCertificate $location
            foreach ($argument in '--cert', (Join-Path $location 'cert.pem'), '--key', (Join-Path $location 'key.pem'), '--oauth', 'basic') { $start.ArgumentList.Add($argument) }
        }
        $scheme = if ($Https) { 'https' } else { 'http' }
        # In memory (--location may not be combined with it); the temporary working folder catches any stray file.
        $start.WorkingDirectory = $location
        $start.UseShellExecute = $false
        $start.RedirectStandardOutput = $true
        $start.RedirectStandardError = $true
        $process = [Diagnostics.Process]::Start($start)
        $stdout = $process.StandardOutput.ReadToEndAsync()
        $stderr = $process.StandardError.ReadToEndAsync()
        $server = [pscustomobject]@{
            Process          = $process
            Port             = $port
            Location         = $location
            TableEndpoint    = "${scheme}://127.0.0.1:$port/$script:AccountName"
            ConnectionString = "DefaultEndpointsProtocol=$scheme;AccountName=$script:AccountName;AccountKey=$script:AccountKey;TableEndpoint=${scheme}://127.0.0.1:$port/$script:AccountName;"
            Thumbprint       = $thumbprint
        }
        if (Wait-AzuriteAnswer $server $Timeout) { return $server }
        $output = "$($stdout.Result)$($stderr.Result)".Trim()
        Stop-Azurite $server
        if ($output -notmatch 'EADDRINUSE') { throw "azurite-table did not answer on port $port within $Timeout`: $output" }
    }
    throw 'azurite-table found no free port in 3 attempts.'
}

# A self-signed certificate for 127.0.0.1 (one day), written as cert.pem and key.pem into the server's folder; returns its SHA-1 thumbprint.
function New-AzuriteCertificate([string] $Folder) {
    $rsa = [Security.Cryptography.RSA]::Create(2048)
    try {
        $request = [Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=127.0.0.1', $rsa,
            [Security.Cryptography.HashAlgorithmName]::SHA256, [Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $names = [Security.Cryptography.X509Certificates.SubjectAlternativeNameBuilder]::new()
        $names.AddIpAddress([Net.IPAddress]::Loopback)
        $names.AddDnsName('localhost')
        $request.CertificateExtensions.Add($names.Build())
        $certificate = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddMinutes(-5), [DateTimeOffset]::UtcNow.AddDays(1))
        Set-Content -Path (Join-Path $Folder 'cert.pem') -Value $certificate.ExportCertificatePem() -NoNewline
        Set-Content -Path (Join-Path $Folder 'key.pem') -Value $rsa.ExportPkcs8PrivateKeyPem() -NoNewline
        return $certificate.Thumbprint
    }
    finally { $rsa.Dispose() }
}

# True once the table endpoint answers (any HTTP status; over HTTPS, a TLS handshake with the pinned certificate);
# false if the process exits first. Throws on timeout.
function Wait-AzuriteAnswer($Server, [TimeSpan] $Timeout) {
    $http = [Net.Http.HttpClient]::new()
    $http.Timeout = [TimeSpan]::FromSeconds(5)
    $deadline = [DateTime]::UtcNow + $Timeout
    try {
        while ([DateTime]::UtcNow -lt $deadline) {
            if ($Server.Process.HasExited) { return $false }
            try {
                if ($Server.Thumbprint) { Test-AzuriteTls $Server }
                else { $http.GetAsync("$($Server.TableEndpoint)/Tables").GetAwaiter().GetResult().Dispose() }
                return $true
            }
            catch [Net.Http.HttpRequestException] { Start-Sleep -Milliseconds 200 }
            catch [Threading.Tasks.TaskCanceledException] { Start-Sleep -Milliseconds 200 }
            catch [Net.Sockets.SocketException] { Start-Sleep -Milliseconds 200 }
            catch [IO.IOException] { Start-Sleep -Milliseconds 200 }
            catch [Management.Automation.MethodInvocationException] { Start-Sleep -Milliseconds 200 }
        }
    }
    finally { $http.Dispose() }
    Stop-Azurite $Server
    throw "azurite-table did not answer on port $($Server.Port) within $Timeout."
}

# A TLS handshake on this thread (the validation callback is a script block, so it must run where the runspace is).
function Test-AzuriteTls($Server) {
    $client = [Net.Sockets.TcpClient]::new()
    try {
        $client.Connect('127.0.0.1', $Server.Port)
        $pinned = $Server.Thumbprint
        $tls = [Net.Security.SslStream]::new($client.GetStream(), $false, { param($s, $certificate) $null -ne $certificate -and $certificate.GetCertHashString() -eq $pinned })
        try { $tls.AuthenticateAsClient('127.0.0.1') } finally { $tls.Dispose() }
    }
    finally { $client.Dispose() }
}

function Stop-Azurite {
    [CmdletBinding(SupportsShouldProcess)]
    param([Parameter(Mandatory, ValueFromPipeline)] $Server)
    process {
        if (-not $PSCmdlet.ShouldProcess("azurite-table on port $($Server.Port)", 'Stop')) { return }
        if (-not $Server.Process.HasExited) {
            $Server.Process.Kill($true)
            $Server.Process.WaitForExit()
        }
        $Server.Process.Dispose()
        Remove-Item $Server.Location -Recurse -Force -ErrorAction SilentlyContinue
    }
}

Export-ModuleMember -Function Install-Azurite, Start-Azurite, Stop-Azurite
