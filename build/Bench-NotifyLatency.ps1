<#
.SYNOPSIS
    The notify-latency bench scenario: the time from a Business Central notification's arrival at the self-hosted
    endpoint to the Marketo write of the changed customer, over a number of changes made one at a time.

.DESCRIPTION
    Run by build/Bench.ps1 in a fresh pwsh. Starts the standalone sandbox, adds the bench's Marketo latency, lets the
    notification job deliver as soon as a change is pending (its own 30-second delay is not part of what is measured),
    connects the built module, runs one Invoke-MlSync (the initial load), starts Start-MlNotificationListener on loopback
    and registers the pair's customers subscription. Then, per change: one customer's city changes in the sandbox's back
    office, and the script waits until Marketo's write log shows that customer's company written. Times come from the
    sandbox's own journals, on one clock: the delivery's start (the notification's arrival, give or take the loopback
    hop) and the completion of the Marketo write. Writes the scenario as one JSON line on stdout.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $WorkPath,
    [int] $Changes = 50,
    [int] $Customers = 200,
    [int] $MarketoLatencyMs = 100
)
$ErrorActionPreference = 'Stop'
$ModulePath = (Resolve-Path $ModulePath).Path
$ProgressPreference = 'SilentlyContinue'
Import-Module (Join-Path $PSScriptRoot 'MlSandbox.psm1') -Force
Import-Module (Join-Path $ModulePath 'MlConnector.psd1') -Force

$env:MLCONNECTOR_HOME = Join-Path $WorkPath 'notify-home'
if (Test-Path $env:MLCONNECTOR_HOME) { Remove-Item $env:MLCONNECTOR_HOME -Recurse -Force }

function Get-Median([double[]] $Values) { $sorted = $Values | Sort-Object; $sorted[[math]::Floor(($sorted.Count - 1) / 2)] }
function Get-Percentile([double[]] $Values, [double] $P) { $sorted = @($Values | Sort-Object); $sorted[[math]::Max(0, [math]::Ceiling($P * $sorted.Count) - 1)] }

$sandbox = Start-MlSandbox -Customers $Customers -Seed 7
try {
    $admin = $sandbox.adminUrl.TrimEnd('/')
    function Invoke-Admin([string] $Method, [string] $Path, $Body) {
        $call = @{ Method = $Method; Uri = "$admin/$Path" }
        if ($null -ne $Body) { $call.ContentType = 'application/json'; $call.Body = ($Body | ConvertTo-Json -Compress) }
        Invoke-RestMethod @call
    }
    Invoke-Admin Post 'faults' @{ service = 2; latencyMs = $MarketoLatencyMs } | Out-Null
    Invoke-Admin Post 'bc/webhooks/settings' @{ notificationDelaySeconds = 0 } | Out-Null
    Connect-MlSandbox $sandbox
    $null = Invoke-MlSync

    $clientState = ConvertTo-SecureString ([Convert]::ToBase64String([Security.Cryptography.RandomNumberGenerator]::GetBytes(32))) -AsPlainText -Force
    $listener = New-Object Net.Sockets.TcpListener ([Net.IPAddress]::Loopback, 0)
    $listener.Start(); $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $url = "http://127.0.0.1:$port/bc/notifications/"
    $endpoint = Start-MlNotificationListener -Prefix $url -ClientState $clientState -WarningAction SilentlyContinue
    $null = Register-BcSubscription -NotificationUrl $url -ClientState $clientState

    # Customers blocked for all transactions are skipped by design (CustomerBlocked): they would never reach Marketo.
    $targets = @(Get-BcCustomer | Where-Object Blocked -NE 'All' | Select-Object -First $Changes)
    Invoke-Admin Delete 'bc/webhooks/journal' | Out-Null
    Invoke-Admin Delete 'marketo/writes' | Out-Null
    $expected = @{}
    $timedOut = 0
    $loadBefore = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3
    $sandbox.Process.Refresh()
    $cpuBefore = $sandbox.Process.TotalProcessorTime.TotalSeconds
    $watch = [Diagnostics.Stopwatch]::StartNew()
    for ($i = 0; $i -lt $targets.Count; $i++) {
        $customer = $targets[$i]
        $city = "Notified $i $([guid]::NewGuid().ToString('N').Substring(0, 8))"
        $expected[$customer.Number] = $city
        Invoke-Admin Post "bc/customers/$($customer.Id)/modify" @{ city = $city } | Out-Null
        $key = $customer.Number.ToLowerInvariant()
        $deadline = (Get-Date).AddSeconds(60)
        while ($true) {
            $written = @(Invoke-Admin Get 'marketo/writes' | ForEach-Object { $_ } | Where-Object { $_.object -eq 'company' -and $_.completedAt -and $_.keys -contains $key })
            if ($written.Count -gt 0) { break }
            if ((Get-Date) -gt $deadline) { $timedOut++; break }
            Start-Sleep -Milliseconds 25
        }
    }

    $wall = $watch.Elapsed.TotalSeconds
    $sandbox.Process.Refresh()
    $sandboxCpu = $sandbox.Process.TotalProcessorTime.TotalSeconds - $cpuBefore

    $deliveries = @(Invoke-Admin Get 'bc/webhooks/journal' | ForEach-Object { $_ } | Where-Object { $_.event -eq 'Delivery' -and $_.outcome -eq 'Succeeded' } | Sort-Object sequence)
    $writes = @(Invoke-Admin Get 'marketo/writes' | ForEach-Object { $_ } | Where-Object object -EQ 'company')
    $latencies = [Collections.Generic.List[double]]::new()
    $duplicates = 0
    for ($i = 0; $i -lt $targets.Count; $i++) {
        $key = $targets[$i].Number.ToLowerInvariant()
        $forKey = @($writes | Where-Object { $_.keys -contains $key } | Sort-Object id)
        $duplicates += [math]::Max(0, $forKey.Count - 1)
        if ($forKey.Count -eq 0 -or $i -ge $deliveries.Count) { continue }
        $arrived = [DateTimeOffset] $deliveries[$i].started
        $latencies.Add((([DateTimeOffset] $forKey[0].completedAt) - $arrived).TotalMilliseconds)
    }
    $marketo = @(Invoke-Admin Get 'marketo/companies?take=100000' | ForEach-Object { $_ })
    $lost = @($expected.Keys | Where-Object { $number = $_; ($marketo | Where-Object externalCompanyId -EQ $number).fields.billingCity -ne $expected[$number] }).Count
    $load = (Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ' | Select-Object -First 3
    $result = [ordered]@{
        name = 'notify-latency'
        changes = $targets.Count
        deliveries = $deliveries.Count
        measured = $latencies.Count
        medianMs = [math]::Round((Get-Median $latencies), 1)
        p95Ms = [math]::Round((Get-Percentile $latencies 0.95), 1)
        maxMs = [math]::Round(($latencies | Measure-Object -Maximum).Maximum, 1)
        listenerMedianMs = if ($endpoint.MedianLatency) { [math]::Round($endpoint.MedianLatency.TotalMilliseconds, 1) } else { $null }
        lost = $lost
        timedOut = $timedOut
        duplicates = $duplicates
        rejected = $endpoint.Rejected
        marketoLatencyMs = $MarketoLatencyMs
        wallSeconds = [math]::Round($wall, 3)
        sandboxCpuSeconds = [math]::Round($sandboxCpu, 2)
        loadBefore = ($loadBefore -join ' ')
        loadAfter = ($load -join ' ')
        loadAverage = ($load -join ' ')
    }
    $endpoint | Stop-MlNotificationListener
    $result | ConvertTo-Json -Compress
}
finally {
    Stop-MlNotificationListener -ErrorAction SilentlyContinue
    Stop-MlSandbox $sandbox
}
