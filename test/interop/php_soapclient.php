<?php
/*
 * PHP's SoapClient (ext-soap), driven the way a PHP integrator would: from the served WSDLs alone,
 * in the SOAP version asked for, with a WS-Security UsernameToken header built by hand (ext-soap
 * has no WS-Security and ignores the WSDL's WS-SecurityPolicy). It loads both WSDLs, lists their
 * functions, then CommissionIP -> DecommissionIP by address -> an unknown VLAN caught as a
 * SoapFault with the typed IpcdFault in its detail, and one management call (ListDataCenters).
 * Every PHP error, warning, notice or deprecation is recorded (and also printed to stderr).
 * Prints one JSON report on stdout.
 *
 * php php_soapclient.php --wsdl URL --admin-wsdl URL --soap 1.1|1.2 --user U --password P
 *   --admin-user U --admin-password P --data-center DC --vlan N --unknown-vlan N --instance NAME
 */
error_reporting(E_ALL);
ini_set('display_errors', 'stderr');
$notices = [];
set_error_handler(function (int $no, string $text, string $file, int $line) use (&$notices): bool {
    $notices[] = "$no: $text ($file:$line)";
    return false; // and PHP's own handler prints it too
});

$o = getopt('', [
    'wsdl:', 'admin-wsdl:', 'soap:', 'user:', 'password:', 'admin-user:', 'admin-password:',
    'data-center:', 'vlan:', 'unknown-vlan:', 'instance:',
]);
$version = $o['soap'] === '1.2' ? SOAP_1_2 : SOAP_1_1;

const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
const PASSWORD_TEXT = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText';

/**
 * The wsse:Security header block with a PasswordText UsernameToken, marked mustUnderstand in the
 * envelope's version. With XSD_ANYXML ext-soap writes the given XML in place of the header
 * element, so the XML is the whole block (the usual way to send WS-Security from PHP).
 */
function wsse(string $user, string $password, int $version): SoapHeader
{
    $x = fn(string $s) => htmlspecialchars($s, ENT_XML1 | ENT_QUOTES, 'UTF-8');
    [$env, $true] = $version === SOAP_1_2
        ? ['http://www.w3.org/2003/05/soap-envelope', 'true']
        : ['http://schemas.xmlsoap.org/soap/envelope/', '1'];
    $block = '<wsse:Security xmlns:wsse="' . WSSE . '" xmlns:se="' . $env . '" se:mustUnderstand="' . $true . '">'
        . '<wsse:UsernameToken>'
        . '<wsse:Username>' . $x($user) . '</wsse:Username>'
        . '<wsse:Password Type="' . PASSWORD_TEXT . '">' . $x($password) . '</wsse:Password>'
        . '</wsse:UsernameToken></wsse:Security>';
    return new SoapHeader(WSSE, 'Security', new SoapVar($block, XSD_ANYXML));
}

function client(string $wsdl, int $version): SoapClient
{
    return new SoapClient($wsdl, [
        'soap_version' => $version,
        'trace' => 1,
        'exceptions' => true,
        'cache_wsdl' => WSDL_CACHE_NONE,
    ]);
}

/** The operation names __getFunctions() lists ("Response Op(Request $parameters)"), once each. */
function operations(SoapClient $c): array
{
    $names = array_map(fn(string $f) => preg_replace('/^\S+ (\w+)\(.*$/', '$1', $f), $c->__getFunctions());
    return array_values(array_unique($names));
}

/** Content-Type of the last request and response. */
function mediaTypes(SoapClient $c): array
{
    $type = fn(?string $h) => preg_match('/^content-type:\s*(.*?)\s*$/mi', $h ?? '', $m) ? $m[1] : null;
    return ['request' => $type($c->__getLastRequestHeaders()), 'response' => $type($c->__getLastResponseHeaders())];
}

$report = ['phpVersion' => PHP_VERSION, 'mismatches' => []];
try {
    $c = client($o['wsdl'], $version);
    $a = client($o['admin-wsdl'], $version);
    $report['functions'] = operations($c);
    $report['adminFunctions'] = operations($a);
    $report['types'] = count($c->__getTypes());

    $c->__setSoapHeaders([wsse($o['user'], $o['password'], $version)]);
    $dc = $o['data-center'];
    $vlan = (int) $o['vlan'];
    $r = $c->CommissionIP([
        'dataCenter' => $dc,
        'vlan' => $vlan,
        'serverInstance' => $o['instance'],
        'wantName' => true,
    ]);
    $report['commission'] = (array) $r;
    $report['mediaTypes'] = mediaTypes($c);
    $report['securityHeaderSent'] = str_contains($c->__getLastRequest(), '<wsse:Username>');

    $d = $c->DecommissionIP(['dataCenter' => $dc, 'vlan' => $vlan, 'address' => $r->address]);
    $released = is_array($d->released) ? $d->released : [$d->released];
    $report['decommission'] = ['releasedCount' => $d->releasedCount, 'released' => array_map(fn($x) => (array) $x, $released)];

    try {
        $c->CommissionIP(['dataCenter' => $dc, 'vlan' => (int) $o['unknown-vlan'], 'serverInstance' => $o['instance'] . '-x']);
        $report['mismatches'][] = 'unknown VLAN: no SoapFault';
    } catch (SoapFault $f) {
        $report['unknownVlan'] = [
            'faultcode' => $f->faultcode,
            'faultstring' => $f->faultstring,
            'code' => $f->detail->IpcdFault->code ?? null,
            'message' => $f->detail->IpcdFault->message ?? null,
            'status' => preg_match('/^HTTP\/\S+ (\d+)/', $c->__getLastResponseHeaders() ?? '', $m) ? (int) $m[1] : null,
        ];
    }

    $a->__setSoapHeaders([wsse($o['admin-user'], $o['admin-password'], $version)]);
    $l = $a->ListDataCenters([]);
    $dcs = is_array($l->dataCenter) ? $l->dataCenter : [$l->dataCenter];
    $report['dataCenters'] = array_map(fn($x) => $x->name, $dcs);
    $report['adminMediaTypes'] = mediaTypes($a);
} catch (Throwable $e) {
    $report['mismatches'][] = get_class($e) . ': ' . $e->getMessage()
        . (isset($c) ? "\nlast request: " . $c->__getLastRequest() . "\nlast response: " . $c->__getLastResponse() : '');
}
$report['notices'] = $notices;
echo json_encode($report, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES), "\n";
