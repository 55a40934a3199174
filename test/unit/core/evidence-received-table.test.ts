/**
 * The Received parser against real header lines, one row each: the connecting address, the
 * reverse-DNS name and the HELO the receiving server recorded, or "passed over" (an internal
 * hand-off such as fetchmail, LMTP, local pickup or qmail invoked by a uid, or no address
 * recorded at all). Each row names where the line comes from:
 *
 * - SA_TEST: Apache SpamAssassin's own Received parser test, t/rcvd_parser.t in apache/spamassassin
 *   (commit 027f547c00371c2911ccce3f42ca9daf804863d0, Apache-2.0), lines as written there;
 * - shared(FILE): a message in ../shared/data/real/spamassassin-msgs (copied from apache/spamassassin
 *   t/data at f7fe7b82a2db63ee1406d74d88ce564b69881954, see SOURCES.md there), every distinct header;
 * - python(FILE): Python 3.11's email test corpus, /usr/lib/python3.11/test/test_email/data (Debian
 *   package libpython3.11-testsuite, installed by scripts/system-deps.sh), every distinct header;
 * - RSPAMD_TEST: rspamd's Received parser test, test/lua/unit/received.lua in rspamd/rspamd
 *   (commit 2cd6a29fda0bbc52f4b43bf624fba42723903052, Apache-2.0);
 * - archive(WHICH): a header of a public mailing-list message, named by list, sender and date.
 *
 * The expectations are ours (SpamAssassin's and rspamd's differ from them in places, e.g. for
 * which name is the rDNS), following what each MTA documents it writes. Rows taken from files on
 * this machine are checked to occur in those files, and the table must hold every Received format
 * issue 19 names.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseReceived } from '../../../main/core/evidence/received.js';
import { formatAddress } from '../../../shared/address.js';

const SA_TEST = 'apache/spamassassin t/rcvd_parser.t @ 027f547c00371c2911ccce3f42ca9daf804863d0';
const RSPAMD_TEST = 'rspamd/rspamd test/lua/unit/received.lua @ 2cd6a29fda0bbc52f4b43bf624fba42723903052';
const SHARED_FOLDER = fileURLToPath(new URL('../../../../../shared/data/real/spamassassin-msgs/', import.meta.url));
const PYTHON_FOLDER = '/usr/lib/python3.11/test/test_email/data/';

interface Source {
  readonly citation: string;
  /** The file on this machine the line was collected from, when there is one. */
  readonly file: string | null;
}

const shared = (file: string): Source => ({ citation: `../shared/data/real/spamassassin-msgs/${file}`, file: SHARED_FOLDER + file });
const python = (file: string): Source => ({ citation: `Python 3.11 test_email data ${file}`, file: PYTHON_FOLDER + file });
const archive = (which: string): Source => ({ citation: `mailing-list archive: ${which}`, file: null });
const cited = (citation: string): Source => ({ citation, file: null });

/** Expected: [connecting address, rDNS, HELO], or passed over. */
type Expected = readonly [ip: string, reverseName: string | null, helo: string | null] | 'passed over';
const PASSED_OVER = 'passed over';

const TABLE: ReadonlyArray<readonly [Source | string, string, Expected]> = [
  // SpamAssassin's Received parser test (headers it skips, then headers it parses)
  [SA_TEST, '(qmail 10681 invoked by uid 404); 14 Nov 2003 08:05:52 -0000', PASSED_OVER],
  [SA_TEST, '(qmail 87263 messnum 771997 invoked from network[83.70.48.2/83-70-48-2.bas2.dbn.dublin.eircom.net]); 8 Mar 2004 23:59:05 -0000', PASSED_OVER],
  [SA_TEST, 'from mail pickup service by hotmail.com with Microsoft SMTPSVC; Tue, 16 Mar 2004 18:12:31 -0800', PASSED_OVER],
  [SA_TEST, 'from Dwsf@aol.com by imo-m01.mx.aol.com (mail_out_v36_r4.12.) id m.b9.3bfe3305 (4116) for <Slowhand101967@aol.com>; Tue, 3 Feb 2004 11:14:06 -0500 (EST)', PASSED_OVER],
  [SA_TEST, 'from advertisement@topofferz.net by blazing.fooooo.org by uid 502 with qmail-scanner-1.20 (clamuko: 0.65. f-prot: 4.2.0/3.13.4.  Clear:RC:0(69.6.60.10):.  Processed in 0.212322 secs); 03 Mar 2004 20:34:39 -0000', PASSED_OVER],
  [SA_TEST, 'from localhost [127.0.0.1] by localhost with IMAP (fetchmail-6.2.4) for zzzzz@localhost (single-drop); Mon, 08 Mar 2004 16:13:23 -0800 (PST)', PASSED_OVER],
  [SA_TEST, 'from localhost (wwwwww@localhost) by rigel.oac.uci.edu (8.9.3p2/8.9.3) with ESMTP id QAA13555 for <zzzzz@jmason.org>; Mon, 8 Mar 2004 16:07:35 -0800 (PST)', PASSED_OVER],
  [SA_TEST, 'from pop.vip.sc5.yahoo.com [216.136.173.10] by localhost with POP3 (fetchmail-5.9.13) for pppppppppp@hhhhhhhhh.net (single-drop); Sun, 22 Feb 2004 20:46:25 -0600 (CST)', PASSED_OVER],
  [SA_TEST, 'from 156.56.111.196 by blazing.arsecandle.org (envelope-from <gentoo-announce-return-530-rod=arsecandle.org@lists.gentoo.org>, uid 502) with qmail-scanner-1.24 (clamdscan: 0.80/594. f-prot: 4.4.2/3.14.11.  Clear:RC:0(156.56.111.196):.  Processed in 0.288806 secs); 06 Feb 2005 21:11:38 -0000', PASSED_OVER],
  [SA_TEST, 'from <unavailable> by pps01.tyson.com (8.12.11/8.12.11) with ESMTP id k4MC0Jdu015089 for <<tysonrecipemail@listserv.tyson.com>>; Mon, 22 May 2006 07:00:20 -0500', PASSED_OVER],
  [SA_TEST, 'from CNNIMAIL12.CNN.COM by CNNIMAIL12.CNN.COM (LISTSERV-TCP/IP release 1.8d) with spool id 35469828 for TEXTBREAKINGNEWS@CNNIMAIL12.CNN.COM; Tue, 23 May 2006 11:01:27 -0400', PASSED_OVER],
  [SA_TEST, 'from DL1GSPMX02 (dl1gspmx02.gamestop.com) by email.ebgames.com (LSMTP for Windows NT v1.1b) with SMTP id <21.000575A0@email.ebgames.com>; Tue, 12 Sep 2006 21:06:43 -0500', PASSED_OVER],
  [SA_TEST, 'from LOCALHOST by LOCALHOST with ESMTP id EF01F5A6A515A04D89C9B0461D36E7A4 Mon, 11 Sep 2006 11:41:10 -0500', PASSED_OVER],
  [SA_TEST, 'from PRODWEB02LA by dns03.treehousei.com (Merak 8.0.3) with SMTP id ACM38534 for <example@vandinter.org>; Fri, 19 May 2006 14:50:48 -0700', PASSED_OVER],
  [SA_TEST, 'from Programmr.newtv.org by newtv.org (VisNetic.MailServer.v8.3.0.1) with ASMTP id AYT39007; Mon, 22 May 2006 15:49:07 -0400', PASSED_OVER],
  [SA_TEST, 'from Spooler by mail2.getcoactive.com (Mercury/32 v4.01a) ID MO0072A1; 5 Jun 2006 11:50:08 -0400', PASSED_OVER],
  [SA_TEST, 'from spooler by mail2.getcoactive.com (Mercury/32 v4.01a); 5 Jun 2006 11:44:13 -0400', PASSED_OVER],
  [SA_TEST, 'from [Masked] by mailrelay2.thestar.ca with ESMTP id lxalvkca for example@vandinter.org; Fri, 8 Sep 2006 17:21:46 -0400', PASSED_OVER],
  [SA_TEST, 'from amavis by forumakad.pl with scanned-ok (Exim 3.35 #1 (Debian)) id 1FiWc9-0007Du-00 for <proftp-user@lists.sourceforge.net>; Tue, 23 May 2006 15:07:57 +0200', PASSED_OVER],
  [SA_TEST, 'from autoreply-daemon.mail.wgbh.org by mail.wgbh.org (iPlanet Messaging Server 5.2 HotFix 2.07 (built Jun 24 2005)) id <0J0E00K02L0G76@mail.wgbh.org> for example@vandinter.org; Mon, 05 Jun 2006 16:02:40 -0400 (EDT)', PASSED_OVER],
  [SA_TEST, 'from chplds004 by ns2.stlouis.usf.ibm.com (8.11.6p3/8.10.1) with ESMTP id k7IHGfA114538 for <example@vandinter.org>; Fri, 18 Aug 2006 12:16:41 -0500', PASSED_OVER],
  [SA_TEST, 'from conversion-daemon.d1-sfbay-01.sun.com by d1-sfbay-01.sun.com (Sun Java System Messaging Server 6.2-4.02 (built Sep  9 2005)) id <0IZO00701ISSIU00@d1-sfbay-01.sun.com> (original mail from David.Vancouvering@Sun.COM) for code-awards@apache.org; Mon, 22 May 2006 11:23:41 -0700 (PDT)', PASSED_OVER],
  [SA_TEST, 'from gb02qws092els27 by www.elsevier.com (8.12.10/8.9.3/USFo1.0) with ESMTP id k7UDHtrV057626 for <example@vandinter.org>; Wed, 30 Aug 2006 13:17:58 GMT', PASSED_OVER],
  [SA_TEST, 'from lin6410.northern.com by CSKMAIL1; 29 Aug 2006 11:02:05 -0700', PASSED_OVER],
  [SA_TEST, 'from localhost by aopen.compata.com (Linux 2.6) with ESMTP (8.13.6/8.13.4) id k4JNjENG010334 for <discuss@lopsa.org>; Fri, 19 May 2006 16:45:14 -0700', PASSED_OVER],
  [SA_TEST, 'from localhost by spike.gizmag.com with SpamAssassin (version 3.0.2); Thu, 17 Aug 2006 08:21:10 +1000', PASSED_OVER],
  [SA_TEST, 'from mail by pascal.ctyme.com with ctyme-spam-scanned (Exim 4.51) id 1DnPTU-0006bL-UT for ToUser@menschel.net; Tue, 28 Jun 2005 16:26:44 -0700', PASSED_OVER],
  [SA_TEST, 'from mailer  by www.lesstroudonline.com with HTTP (Mail); Mon, 14 Aug 2006 14:20:13 -0700', PASSED_OVER],
  [SA_TEST, 'from pmxchannel-daemon.newman.NebrWesleyan.edu by newman.NebrWesleyan.edu (iPlanet Messaging Server 5.2 HotFix 2.05 (built Mar  3 2005)) id <0IZY00I01M1DCE@newman.NebrWesleyan.edu> for discuss@lopsa.org; Sun, 28 May 2006 00:03:13 -0500 (CDT)', PASSED_OVER],
  [SA_TEST, 'from senmail2.senate.gov with LMTP by senmail2 (3.0.2/sieved-3-0-build-942) for <example@vandinter.org>; Fri, 30 Jun 2006 10:58:41 -0400', PASSED_OVER],
  [SA_TEST, 'from smalldog.com by list.smalldog.com with SMTP; Fri, 1 Sep 2006 10:56:21 -0400', PASSED_OVER],
  [SA_TEST, 'from web01.bgca.dmz by list.bgca.org (MDaemon PRO v9.0.1) with ESMTP id md50000050056.msg for <example@vandinter.org>; Mon, 19 Jun 2006 11:50:20 -0400', PASSED_OVER],
  [SA_TEST, 'from zimbramail.artsit.org.uk (unverified) by MAILSWEEP.birminghamartsit.org.uk (Clearswift SMTPRS 5.1.7) with ESMTP id <T78926b35f2c0a80003da8@MAILSWEEP.birminghamartsit.org.uk> for <discuss@lists.surbl.org>; Tue, 30 May 2006 15:56:15 +0100', PASSED_OVER],
  [SA_TEST, 'from jsoliday.acs.internap.com ([63.251.66.24.63559]) by mailhost.acs.internap.com with esmtp  (v3.35.1) id 1GNrLz-000295-00; Thu, 14 Sep 2006 09:34:07 -0400', ['63.251.66.24', null, 'jsoliday.acs.internap.com']],
  [SA_TEST, 'from lists.gentoo.org (HELO parrot.gentoo.org) (156.56.111.196) by blazing.arsecandle.org with (DHE-RSA-AES256-SHA encrypted) SMTP; 6 Feb 2005 21:11:37 -0000', ['156.56.111.196', 'lists.gentoo.org', 'parrot.gentoo.org']],
  [SA_TEST, 'from postfix3-2.free.fr (foobar@213.228.0.129) by totor.example.net with SMTP; 14 Nov 2003 08:05:50 -0000', ['213.228.0.129', 'postfix3-2.free.fr', 'postfix3-2.free.fr']],
  [SA_TEST, 'from asterix.laurier.org (lns-p19-8-82-65-66-244.adsl.proxad.net [82.65.66.244]) by postfix3-2.free.fr (Postfix) with ESMTP id 7BACDC372 for <somelist@example.net>; Fri, 14 Nov 2003 09:05:49 +0100 (CET)', ['82.65.66.244', 'lns-p19-8-82-65-66-244.adsl.proxad.net', 'asterix.laurier.org']],
  [SA_TEST, 'from 0 ([61.31.135.91]) by bass.bass.com.eg with Microsoft SMTPSVC(5.0.2195.6713); Tue, 21 Sep 2004 08:59:06 +0300', ['61.31.135.91', null, '0']],
  [SA_TEST, 'from helene8.i.pinwand.net (helene.cats.ms) [10.0.8.6.13219] (mail) by lisbeth.i.pinwand.net with esmtp (Exim 3.35 #1 (Debian)) id 1CO5y7-0001vC-00; Sun, 31 Oct 2004 04:01:23 +0100', ['10.0.8.6', 'helene8.i.pinwand.net', 'helene.cats.ms']],
  [SA_TEST, 'from inet-vrs-05.redmond.corp.microsoft.com ([157.54.6.157]) by INET-IMC-05.redmond.corp.microsoft.com with Microsoft SMTPSVC(5.0.2195.6624); Thu, 6 Mar 2003 12:02:35 -0800', ['157.54.6.157', null, 'inet-vrs-05.redmond.corp.microsoft.com']],
  [SA_TEST, 'from tthompson ([217.35.105.172] unverified) by mail.neosinteractive.com with Microsoft SMTPSVC(5.0.2195.5329); Tue, 11 Mar 2003 13:23:01 +0000', ['217.35.105.172', null, 'tthompson']],
  [SA_TEST, 'from mx56.pirmateh.us (64.119.196.56.rev.iwaynetworks.com [64.119.196.56] (may be forged)) by mail.core.obfugenedata.com (8.13.1/8.13.1) with ESMTP id i8FJcSRZ007847 for <othmar.pfannes@obfugenedata.com>; Wed, 15 Sep 2004 21:38:31 +0200', ['64.119.196.56', '64.119.196.56.rev.iwaynetworks.com', 'mx56.pirmateh.us']],
  [SA_TEST, 'from 0 ([61.31.138.57] RDNS failed) by nccdi.com with Microsoft SMTPSVC(6.0.3790.0); Thu, 23 Sep 2004 08:51:06 -0700', ['61.31.138.57', null, '0']],
  [SA_TEST, 'from ([192.168.1.205:50387] helo=i6.prod.democracyinaction.com) by m12.prod.democracyinaction.com (ecelerity 2.1.1.3 r(11743)) with ESMTP id 80/0A-02454-4DCB6054 for <example@vandinter.org>; Tue, 12 Sep 2006 09:57:40 -0400', ['192.168.1.205', null, 'i6.prod.democracyinaction.com']],
  [SA_TEST, 'from [127.0.0.1] ([127.0.0.1:50024]) by bm1-13.ed10.com (ecelerity 2.1.1.8 r(12431)) with ECSTREAM id 10/BD-03444-F4DB6054 for <example@vandinter.org>; Tue, 12 Sep 2006 09:59:43 -0400', ['127.0.0.1', null, '[127.0.0.1]']],
  [SA_TEST, 'from ([67.91.233.27:53798] helo=eclectic.kluge.net) by idunn.apache.osuosl.org (ecelerity 2.1 r(10620)) with ESMTP id 5A/F0-04030-76FF6054 for <dev@spamassassin.apache.org>; Tue, 12 Sep 2006 11:41:44 -0700', ['67.91.233.27', null, 'eclectic.kluge.net']],
  [SA_TEST, 'from klqe.net (unknown [192.168.50.50]) by mail.dropinsolutions.com (Postfix) with ESMTP id 62F9114047; Sun, 15 Feb 2004 14:29:04 -0500 (EST)', ['192.168.50.50', null, 'klqe.net']],
  [SA_TEST, 'from Minstrel ([82.0.67.38]) by mta07-svc.ntlworld.com (InterMail vM.4.01.03.37 201-229-121-137-20020806) with ESMTP id <20031220035023.GCFK2588.mta07-svc.ntlworld.com@Minstrel> for <postmaster@internetgremlin.com>; Sat, 20 Dec 2003 03:50:23 +0000', ['82.0.67.38', null, 'Minstrel']],
  [SA_TEST, 'from cs.helsinki.fi ([::ffff:218.11.152.141]) by mail.cs.helsinki.fi with esmtp; Mon, 18 Aug 2003 15:37:48 +0300', ['218.11.152.141', null, 'cs.helsinki.fi']],
  [SA_TEST, 'from m165.4superdeals.biz (softdnserr [::ffff:64.235.238.165]) by mail.cs.helsinki.fi with esmtp; Sun, 17 Aug 2003 19:30:42 +0300', ['64.235.238.165', null, 'm165.4superdeals.biz']],
  [SA_TEST, 'from hotmail.com (bay1-f95.bay1.hotmail.com [65.54.245.95]) by Daffy.timing.com;', ['65.54.245.95', 'bay1-f95.bay1.hotmail.com', 'hotmail.com']],
  [SA_TEST, 'from 24.8.231.233 by by1fd.bay1.hotmail.msn.com with HTTP; Wed, 17 Mar 2004 02:12:31 GMT', ['24.8.231.233', null, null]],
  [SA_TEST, 'from hotmail.com (something.com [65.54.245.95]) at just after 10pm by Daffy.timing.com on a Friday (CrazyMTA) (envelope-from <foo@example.com>) with TFTP', ['65.54.245.95', 'something.com', 'hotmail.com']],
  [SA_TEST, 'from postfix3-2.free.fr (foobar@213.228.0.139) by totor.example.net with SMTP; 14 Nov 2003 08:05:50 -0000', ['213.228.0.139', 'postfix3-2.free.fr', 'postfix3-2.free.fr']],
  [SA_TEST, 'from asterix.laurier.org (lns-p19-8-82-65-66-244.adsl.proxad.net [82.65.66.244]) by postfix3-2.free.fr (Postfix) with ESMTP id 7BACDC372 for <michel@example.net>; Fri, 14 Nov 2003 09:05:49 +0100 (CET)', ['82.65.66.244', 'lns-p19-8-82-65-66-244.adsl.proxad.net', 'asterix.laurier.org']],
  [SA_TEST, 'from unknown (HELO feux01a-isp) (213.199.4.210) by totor.example.net with SMTP; 1 Nov 2003 07:05:19 -0000', ['213.199.4.210', null, 'feux01a-isp']],
  [SA_TEST, 'from x1-6-00-04-bd-d2-e0-a3.k317.webspeed.dk (benelli@80.167.158.170) by totor.example.net with SMTP; 5 Nov 2003 23:18:42 -0000', ['80.167.158.170', 'x1-6-00-04-bd-d2-e0-a3.k317.webspeed.dk', 'x1-6-00-04-bd-d2-e0-a3.k317.webspeed.dk']],
  [SA_TEST, 'from adsl-207-213-27-129.dsl.lsan03.pacbell.net (HELO merlin.net.au) (Owner50@207.213.27.129) by totor.example.net with SMTP; 10 Nov 2003 06:30:34 -0000', ['207.213.27.129', 'adsl-207-213-27-129.dsl.lsan03.pacbell.net', 'merlin.net.au']],
  [SA_TEST, 'from imo-m01.mx.aol.com ([64.12.136.4] verified) by xxx.com (CommuniGate Pro SMTP 4.1.8) with ESMTP id 875522 for yyy@xxx.com; Tue, 03 Feb 2004 08:37:38 -0800', ['64.12.136.4', 'imo-m01.mx.aol.com', 'imo-m01.mx.aol.com']],
  [SA_TEST, 'from [65.17.198.50] (HELO 123greetings.info) by mail.wcg.org (CommuniGate Pro SMTP 5.1.3) with SMTP id 19467966 for xxxx@wcg.org; Fri, 08 Dec 2006 08:40:46 -0800', ['65.17.198.50', null, '123greetings.info']],
  [SA_TEST, 'from [128.114.2.223] (account user@example.edu HELO [10.10.10.10]) by silver.ucsc.edu (CommuniGate Pro SMTP 4.3.7) with ESMTPSA id 88402416 for user@example.edu; Mon, 04 Dec 2006 13:15:07 -0800', ['128.114.2.223', null, '[10.10.10.10]']],
  [SA_TEST, 'from [128.114.2.223] (account user@example.edu) by tin.ucsc.edu (CommuniGate Pro WebUser 4.3.7) with HTTP id 109780632 for user@example.edu; Tue, 05 Dec 2006 11:17:51 -0800', ['128.114.2.223', null, null]],
  [SA_TEST, 'from bigass1.example.com ([66.199.2.3]) by slim1.example.com with esmtp; Tue, 06 Jan 2004 23:56:09 +0000', ['66.199.2.3', null, 'bigass1.example.com']],
  [SA_TEST, 'from a1200 ([24.83.2.4]) (AUTH: LOGIN mitch@example.com) by bigass1.example.com with esmtp; Tue, 06 Jan 2004 23:56:09 +0000', ['24.83.2.4', null, 'a1200']],
  [SA_TEST, 'from bigass1.example.com (ns1.example.com [66.199.2.5]) by fiat.example.edu (8.12.10/8.12.10) with ESMTP id i06MBJ6U020255 for <broot@example.edu>; Tue, 6 Jan 2004 16:11:19 -0600', ['66.199.2.5', 'ns1.example.com', 'bigass1.example.com']],
  [SA_TEST, 'from a1200 ([24.83.2.6]) (AUTH: LOGIN mitch@example.com) by bigass1.example.com with esmtp; Tue, 06 Jan 2004 22:09:53 +0000', ['24.83.2.6', null, 'a1200']],
  [SA_TEST, 'from postfix3-2.free.fr (HELO machine.domain.com) (foobar@213.228.20.149) by totor.example.net with SMTP; 14 Nov 2003 08:31:29 -0000', ['213.228.20.149', 'postfix3-2.free.fr', 'machine.domain.com']],
  [SA_TEST, 'from postfix3-2.free.fr (213.228.0.159) by totor.example.net with SMTP; 14 Nov 2003 08:31:29 -0000', ['213.228.0.159', 'postfix3-2.free.fr', 'postfix3-2.free.fr']],
  [SA_TEST, 'from postfix3-2.free.fr (foobar@213.228.0.169) by totor.example.net with SMTP; 14 Nov 2003 08:31:29 -0000', ['213.228.0.169', 'postfix3-2.free.fr', 'postfix3-2.free.fr']],
  [SA_TEST, 'from unknown (HELO machine.domain.com) (foobar@213.228.0.179) by totor.example.net with SMTP; 14 Nov 2003 08:31:29 -0000', ['213.228.0.179', null, 'machine.domain.com']],
  [SA_TEST, 'from unknown (HELO machine.domain.com) (213.228.0.189) by totor.example.net with SMTP; 14 Nov 2003 08:31:29 -0000', ['213.228.0.189', null, 'machine.domain.com']],
  [SA_TEST, 'from loki.komtel.net (212.7.146.145) by totor.example.net with SMTP; 16 Nov 2003 04:53:54 -0000', ['212.7.146.145', 'loki.komtel.net', 'loki.komtel.net']],
  [SA_TEST, 'from c66.169.197.134.ts46v-19.pkcty.ftwrth.tx.charter.com (66.169.197.134) by totor.example.net with SMTP; 16 Nov 2003 05:59:32 -0000', ['66.169.197.134', 'c66.169.197.134.ts46v-19.pkcty.ftwrth.tx.charter.com', 'c66.169.197.134.ts46v-19.pkcty.ftwrth.tx.charter.com']],
  [SA_TEST, 'from dyn-81-166-39-132.ppp.tiscali.fr (81.166.39.132) by cpmail.dk.tiscali.com (6.7.018) id 3FE6899B004FE7A4; Thu, 1 Jan 2004 05:28:49 +0100', ['81.166.39.132', 'dyn-81-166-39-132.ppp.tiscali.fr', 'dyn-81-166-39-132.ppp.tiscali.fr']],
  [SA_TEST, 'from unknown (HELO [81.64.159.45]) ([81.64.159.45]) (envelope-sender <xyz@example.org>) by 212.198.2.120 (qmail-ldap-1.03) with SMTP for <zyx@somewhere.net>; 28 Nov 2003 20:44:45 -0000', ['81.64.159.45', null, '[81.64.159.45]']],
  [SA_TEST, 'from mx10.topofferz.net (HELO ) (69.6.60.10) by blazing.fooooo.org with SMTP; 3 Mar 2004 20:34:38 -0000', ['69.6.60.10', 'mx10.topofferz.net', null]],
  [SA_TEST, 'from email.com (unknown [222.32.65.3]) by eclectic.kluge.net (Postfix) with ESMTP id 33DC4416F20 for <unknown@kluge.net>; Mon,  1 Mar 2004 01:09:44 -0500 (EST)', ['222.32.65.3', null, 'email.com']],
  [SA_TEST, 'from kluge.net (unknown [222.156.78.32]) by eclectic.kluge.net (Postfix) with SMTP id CE1BA416F20 for <unknown@kluge.net>; Mon,  1 Mar 2004 13:11:31 -0500 (EST)', ['222.156.78.32', null, 'kluge.net']],
  [SA_TEST, 'from xjwrvjq (unknown [222.54.106.152]) by eclectic.kluge.net (Postfix) with SMTP id ED474416F20 for <unknown@eclectic.kluge.net>; Tue,  2 Mar 2004 12:51:44 -0500', ['222.54.106.152', null, 'xjwrvjq']],
  [SA_TEST, 'from europa21.inetsiteworld.net (europa21.inetsiteworld.net [217.110.206.5]) by mx1.redhat.com (8.12.10/8.12.10) with SMTP id i28CUmST012272 for <fedora-list@redhat.com>; Mon, 8 Mar 2004 07:30:48 -0500', ['217.110.206.5', 'europa21.inetsiteworld.net', 'europa21.inetsiteworld.net']],
  [SA_TEST, 'from SpamControl_operated_by_INetSiteWorld (localhost [127.0.0.1]) by europa21.inetsiteworld.net (8.12.9/8.12.7-jokey) with ESMTP id i28CNuck014319 for <fedora-list@redhat.com>; Mon, 8 Mar 2004 13:23:57 +0100', ['127.0.0.1', 'localhost', 'SpamControl_operated_by_INetSiteWorld']],
  [SA_TEST, 'from 212.202.243.194 ([212.202.243.194] helo=blackstar) by SpamControl_operated_by_INetSiteWorld ;  8 Mar 04 12:23:56 -0000', ['212.202.243.194', null, 'blackstar']],
  [SA_TEST, 'from mail00.svc.cra.dublin.eircom.net (mail00.svc.cra.dublin.eircom.net [159.134.118.16]) by amgod.boxhost.net (Postfix) with SMTP id 0ACFC31014D for <zzzz@zzzz.org>; Mon,  8 Mar 2004 23:59:19 +0000 (GMT)', ['159.134.118.16', 'mail00.svc.cra.dublin.eircom.net', 'mail00.svc.cra.dublin.eircom.net']],
  [SA_TEST, 'from 83-70-48-2.bas2.dbn.dublin.eircom.net (HELO ?192.168.23.32?) (83.70.48.2) by mail00.svc.cra.dublin.eircom.net (qp 87263) with SMTP; 8 Mar 2004 23:59:05 -0000', ['83.70.48.2', '83-70-48-2.bas2.dbn.dublin.eircom.net', '?192.168.23.32?']],
  [SA_TEST, 'from smtp3.es.uci.edu (smtp3.es.uci.edu [128.200.80.6]) by amgod.boxhost.net (Postfix) with ESMTP id 87D0A310091 for <zzzzz@jmason.org>; Tue,  9 Mar 2004 00:07:59 +0000 (GMT)', ['128.200.80.6', 'smtp3.es.uci.edu', 'smtp3.es.uci.edu']],
  [SA_TEST, 'from rigel.oac.uci.edu (rigel.oac.uci.edu [128.200.80.22]) by smtp3.es.uci.edu (8.12.8/8.12.8) with ESMTP id i2907ZaF008726 for <zzzzz@jmason.org>; Mon, 8 Mar 2004 16:07:35 -0800', ['128.200.80.22', 'rigel.oac.uci.edu', 'rigel.oac.uci.edu']],
  [SA_TEST, 'from list.brainbuzz.com (63.146.189.86:23198) by mx1.yourtech.net with [XMail 1.20 ESMTP Server] id <S72E> for <jjjjjjjjjj@obfuscatedellingson.org> from <bounce-cscommunity-11965901@list.obfuscatedzzzzzzz.com>; Sat, 18 Sep 2004 23:17:54 -0500', ['63.146.189.86', null, 'list.brainbuzz.com']],
  [SA_TEST, 'from list.brainbuzz.com ([63.146.189.86]:23198) by mx1.yourtech.net with [XMail 1.20 ESMTP Server] id <S72E> for <jjjjjjjjjj@obfuscatedellingson.org> from <bounce-cscommunity-11965901@list.obfuscatedzzzzzzz.com>; Sat, 18 Sep 2004 23:17:54 -0500', ['63.146.189.86', null, 'list.brainbuzz.com']],
  [SA_TEST, 'from 211.245.85.228  (EHLO ) (211.245.85.228) by mta232.mail.scd.yahoo.com with SMTP; Sun, 25 Jan 2004 00:24:37 -0800', ['211.245.85.228', null, null]],
  [SA_TEST, 'from dsl092-076-133.bos1.dsl.speakeasy.net ([66.92.76.133] helo=pendaran.arborius.net) by sc8-sf-mx1.sourceforge.net with esmtp (TLSv1:AES256-SHA:256) (Exim 4.41) id 1CIlfc-0003Pa-8W for xvoice-user@lists.sourceforge.net; Sat, 16 Oct 2004 03:20:18 -0700', ['66.92.76.133', 'dsl092-076-133.bos1.dsl.speakeasy.net', 'pendaran.arborius.net']],
  [SA_TEST, 'from gilmore.ael.be ([158.64.60.71]) by castlerea.stdlib.net with esmtp (TLSv1:DES-CBC3-SHA:168) (Exim 4.41) id 1CIusZ-00049K-45 for e-voting@lists.stdlib.net; Sat, 16 Oct 2004 21:10:16 +0100', ['158.64.60.71', 'gilmore.ael.be', 'gilmore.ael.be']],
  [SA_TEST, 'from rubel.csumb.edu (rubel.csumb.edu [198.189.237.214]) (using TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits)) (No client certificate requested) by sf1.isc.org (Postfix) with ESMTP id 23587284EE for <bind-users@isc.org>; Sat, 16 Oct 2004 23:32:19 +0000 (UTC) (envelope-from snort@csumb.edu)', ['198.189.237.214', 'rubel.csumb.edu', 'rubel.csumb.edu']],
  [SA_TEST, 'from p50894de7.dip0.t-ipconnect.de ([80.137.77.231]:11218 helo=sandpiper) by mail1.isc.de with esmtp (TLSv1:RC4-SHA:128) (Exim 4.04) id 1CJaZW-0006rU-00 for linux-thinkpad@linux-thinkpad.org; Mon, 18 Oct 2004 18:41:23 +0200', ['80.137.77.231', 'p50894de7.dip0.t-ipconnect.de', 'sandpiper']],
  [SA_TEST, 'from [192.168.1.3] (80-28-223-208.adsl.nuria.telefonica-data.net [80.28.223.208]) (authenticated bits=0) by mac.com (Xserve/smtpin08/MantshX 4.0) with ESMTP id i8NIdH8G002812 for ...', ['80.28.223.208', '80-28-223-208.adsl.nuria.telefonica-data.net', '[192.168.1.3]']],
  [SA_TEST, 'from perceptions.couk.com (81.103.146.112) by n082.sc1.cp.net (7.0.030.2) (authenticated as r.dickenson) id 414B418B002D65F1 for forteana@yahoogroups.com; Thu, 23 Sep 2004 18:42:17 +0000', ['81.103.146.112', 'perceptions.couk.com', 'perceptions.couk.com']],
  [SA_TEST, 'from 141.44.167.13 (p83.129.191.197.tisdip.tiscali.de [83.129.191.197]) (authenticated bits=0) by sunny.urz.uni-magdeburg.de (8.12.10/8.12.10) with ESMTP id i8ND9v0N017746 (version=TLSv1/SSLv3 cipher=RC4-MD5 bits=128 verify=NO) for <ilug@linux.ie>; Thu, 23 Sep 2004 15:09:59 +0200', ['83.129.191.197', 'p83.129.191.197.tisdip.tiscali.de', '141.44.167.13']],
  [SA_TEST, 'from rousalka.dyndns.org (81.64.155.54) by mx.laposte.net (7.0.028) (authenticated as Nicolas.Mailhot) id 413489B100C9C1FD for fedora-devel-list@redhat.com; Tue, 28 Sep 2004 21:43:43 +0200', ['81.64.155.54', 'rousalka.dyndns.org', 'rousalka.dyndns.org']],
  [SA_TEST, 'from [10.0.0.253] (82-68-189-22.dsl.in-addr.zen.co.uk [82.68.189.22]) (authenticated (0 bits)) by ensim.rackshack.net (8.11.6/8.11.6) with ESMTP id i8TAFAI25021 for <discuss@lists.surbl.org>; Wed, 29 Sep 2004 10:15:10 GMT', ['82.68.189.22', '82-68-189-22.dsl.in-addr.zen.co.uk', '[10.0.0.253]']],
  [SA_TEST, 'from [213.174.165.187] (213.174.165.187) by vsmtp1.tin.it (7.0.027) (authenticated as mgiammarco@virgilio.it) id 416A525B0000A53B for linux-thinkpad@linux-thinkpad.org; Mon, 11 Oct 2004 12:52:46 +0200', ['213.174.165.187', null, '[213.174.165.187]']],
  [SA_TEST, 'from [10.10.10.215] (Collation_Software.demarc.cogentco.com [66.250.6.18]) (authenticated bits=0) by waste.org (8.12.3/8.12.3/Debian-6.6) with ESMTP id i46MehGO005108 for <fork@xent.com>; Thu, 6 May 2004 17:40:44-0500', ['66.250.6.18', 'Collation_Software.demarc.cogentco.com', '[10.10.10.215]']],
  [SA_TEST, 'from dsl-082-082-143-115.arcor-ip.net (dsl-082-083-139-045.arcor-ip.net [82.83.139.45]) (authenticated bits=0) by postman.arcor.de (8.13.0.PreAlpha4/8.13.0.PreAlpha4) with ESMTP id i2U75jD1003350 for <linux-thinkpad@linux-thinkpad.org>; Tue, 30 Mar 2004 09:05:45 +0200 (MEST)', ['82.83.139.45', 'dsl-082-083-139-045.arcor-ip.net', 'dsl-082-082-143-115.arcor-ip.net']],
  [SA_TEST, 'from MARISELA (dsl-189-149-70-163.prod-infinitum.com.mx [189.149.70.163] (may be forged)) (authenticated bits=0) by mail.legosoft.com.mx (8.13.8/8.13.8) with ESMTP id kB3G26P6019032 for <rberber@cactus-soft.dyndns.org>; Sun, 3 Dec 2006 10:02:16 -0600 (CST)', ['189.149.70.163', 'dsl-189-149-70-163.prod-infinitum.com.mx', 'MARISELA']],
  [SA_TEST, 'from p5483b7c0.dip.t-dialin.net ([84.131.183.192] helo=192.168.1.23) by moonflower.de with asmtp (TLS-1.0:RSA_ARCFOUR_MD5:16) (Exim 4.34) id 1CIoQP-0006SN-GV for linux-thinkpad@linux-thinkpad.org; Sat, 16 Oct 2004 15:16:47 +0200', ['84.131.183.192', 'p5483b7c0.dip.t-dialin.net', '192.168.1.23']],
  [SA_TEST, 'from bgp01132961bgs.ypeast01.mi.comcast.net ([68.42.119.201] helo=moonweaver.home.awesomeplay.com) by outbound.mailhop.org with esmtpsa (TLSv1:RC4-SHA:128) (Exim 4.42) id 1CJic5-00067m-U7', ['68.42.119.201', 'bgp01132961bgs.ypeast01.mi.comcast.net', 'moonweaver.home.awesomeplay.com']],
  [SA_TEST, 'from gorkcomputer (my.dns.com [1.2.3.4]) (AUTH: LOGIN gork@mydomain.com, SSL: TLSv1/SSLv3,128bits,RC4-MD5) by mydomain.com with esmtp; Thu, 10 Nov 2005 08:24:21 -0600 id 000000DB.43735815.00001E11', ['1.2.3.4', 'my.dns.com', 'gorkcomputer']],
  [SA_TEST, 'FROM hackers.mr.itd.umich.edu (smtp.mail.umich.edu [141.211.14.81]) BY madman.mr.itd.umich.edu ID 434B508E.174A6.13932 ; 11 Oct 2005 01:41:34 -0400', ['141.211.14.81', 'smtp.mail.umich.edu', 'hackers.mr.itd.umich.edu']],
  [SA_TEST, 'FROM [192.168.1.24] (s233-64-90-216.try.wideopenwest.com [64.233.216.90]) BY hackers.mr.itd.umich.edu ID 434B5051.8CDE5.15436 ; 11 Oct 2005 01:40:33 -0400', ['64.233.216.90', 's233-64-90-216.try.wideopenwest.com', '[192.168.1.24]']],
  [SA_TEST, 'from TCE-E-7-182-54.bta.net.cn(202.106.182.54) via SMTP by st.tahina.priv.at, id smtpdEDUB8h; Sun Nov 13 14:50:12 2005', ['202.106.182.54', 'TCE-E-7-182-54.bta.net.cn', null]],
  [SA_TEST, 'from pl027.nas934.d-osaka.nttpc.ne.jp(61.197.82.27), claiming to be "foo.woas.net" via SMTP by st.tahina.priv.at, id smtpd1PBsZT; Sun Nov 13 15:38:52 2005', ['61.197.82.27', 'pl027.nas934.d-osaka.nttpc.ne.jp', 'foo.woas.net']],
  [SA_TEST, 'from [206.51.230.145] (helo=t-online.de) by mxeu2.kundenserver.de with ESMTP (Nemesis), id 0MKpdM-1CkRpr14PF-000608; Fri, 31 Dec 2004 19:49:15 +0100', ['206.51.230.145', null, 't-online.de']],
  [SA_TEST, 'from Amazon.com ([66.0.37.1]) by bi-staff1.beckman.uiuc.edu (8.12.8/8.12.8) with SMTP id k1SCIR87017358; Tue, 28 Feb 2006 06:18:27 -0600', ['66.0.37.1', null, 'Amazon.com']],
  [SA_TEST, '(from KRYPTIK [70.20.57.51]) by host.name (NAVGW 2.5.2.12) with SMTP id M2006040415284308595 for <user@domain.co.uk>; Tue, 04 Apr 2006 15:28:45 +0100', ['70.20.57.51', null, 'KRYPTIK']],
  [SA_TEST, 'from bar.example.org (bar.example.org [127.0.0.1]) (using TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits)) (Client did not present a certificate) (Authenticated sender: sender.example.net) by foo.example.net (Postfix) with ESMTP id 44A8959ED6B0 for <recip@example.com>; Fri, 30 Jun 2006 08:02:00 +0100 (BST)', ['127.0.0.1', 'bar.example.org', 'bar.example.org']],
  [SA_TEST, 'from  ([172.16.1.78]) by email2.codeworksonline.com with Microsoft SMTPSVC(5.0.2195.6713); Wed, 6 Sep 2006 21:14:29 -0400', ['172.16.1.78', null, null]],
  [SA_TEST, 'from (130.215.36.186) by mcafee.wpi.edu via smtp id 021b_7e19a55a_ea7e_11da_83a9_00304811e63a; Tue, 23 May 2006 13:06:35 -0400', ['130.215.36.186', null, null]],
  [SA_TEST, 'from ([172.21.2.10]) by out-relay4.mtahq.org with ESMTP  id 4420961.8281; Tue, 22 Aug 2006 17:53:08 -0400', ['172.21.2.10', null, null]],
  [SA_TEST, 'from 10.165.130.62 by CNNIMAIL12.CNN.COM (SMTPL release 1.0d) with TCP; Fri, 1 Sep 2006 20:28:14 -0400', ['10.165.130.62', null, null]],
  [SA_TEST, 'from DPLAPTOP ( 72.242.176.162) by mail.puryear-it.com (Scalix SMTP Relay 10.0.1.3) via ESMTP; Fri, 23 Jun 2006 16:39:47 -0500 (CDT)', ['72.242.176.162', null, 'DPLAPTOP']],
  [SA_TEST, 'from av0001.technodiva.com (localhost [127.0.0.1])by  localhost.technodiva.com (Postfix) with ESMTP id 846CF2117for  <proftp-user@lists.sourceforge.net>; Mon,  7 Aug 2006 17:48:07 +0200 (MEST)', ['127.0.0.1', 'localhost', 'av0001.technodiva.com']],
  [SA_TEST, 'from server040.webpack.hosteurope.de ([80.237.130.48]:52313) by vps832469583.serverpool.info with esmtps (TLS-1.0:DHE_RSA_3DES_EDE_CBC_SHA:24) (Exim 4.50) id 1GzVLs-0002Oz-7b for axel@axelcity.de; Wed, 27 Dec 2006 10:45:49 +0100', ['80.237.130.48', 'server040.webpack.hosteurope.de', 'server040.webpack.hosteurope.de']],
  [SA_TEST, 'from gate.jakob.de ([217.145.101.130]:60178 helo=gate2.jakob.de) by vps832469583.serverpool.info (envelope-from <support@verleihshop.de>) with esmtps (TLS-1.0:DHE_RSA_3DES_EDE_CBC_SHA:24) (Exim 4.50) id 1H3KFP-0005pI-08 for dvd@axelcity.de; Sat, 06 Jan 2007 23:42:55 +0100', ['217.145.101.130', 'gate.jakob.de', 'gate2.jakob.de']],
  [SA_TEST, 'from stgt-5f70f8a3.pool.mediaWays.net (EHLO user588a01834c) [95.112.248.163] by mail.gmx.net (mp033) with SMTP; 23 Nov 2012 19:06:20 +0100', ['95.112.248.163', 'stgt-5f70f8a3.pool.mediaWays.net', 'user588a01834c']],
  [SA_TEST, 'from 37.5.238.154 by www001.gmx.net with HTTP; Wed, 28 Nov 2012 00:57:41 +0100 (CET)', ['37.5.238.154', null, null]],
  [SA_TEST, 'from [86.122.158.69] by mta2.iomartmail.com; Thu, 2 Aug 2007 21:50:04 -0200', ['86.122.158.69', null, null]],
  [SA_TEST, 'from p5498acaa.dip0.t-ipconnect.de (HELO JIMBOBSPC) (user@84.152.172.1) by msa.example.com with ESMTPA; 23 May 2007 15:05:04 -0000', ['84.152.172.1', 'p5498acaa.dip0.t-ipconnect.de', 'JIMBOBSPC']],
  [SA_TEST, 'from ([89.79.20.16]) by pop3.m80.net with MailEnable ESMTP; Tue, 20 Feb 2007 09:26:17 -0500', ['89.79.20.16', null, null]],
  [SA_TEST, 'from [1.2.3.4] (account user@example.com) by webmail.example.com (CommuniGate Pro XIMSS 5.2.16) with HTTPU id 87581547 for user@example.org; Thu, 19 Nov 2009 20:08:10 -0500', ['1.2.3.4', null, null]],
  [SA_TEST, 'from mail.tonet.ru ([213.183.114.1] verified) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with ESMTPS id 9837783 for hostmaster@ns.tomsk.ru; Tue, 08 Apr 2008 13:14:35 +0700', ['213.183.114.1', 'mail.tonet.ru', 'mail.tonet.ru']],
  [SA_TEST, 'from dedic5.cmspanel.ru ([83.222.3.95] verified) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with ESMTPS id 9837912 for hostmaster@ns.tomsk.ru; Tue, 08 Apr 2008 13:39:27 +0700', ['83.222.3.95', 'dedic5.cmspanel.ru', 'dedic5.cmspanel.ru']],
  [SA_TEST, 'from sibmail.com ([77.106.108.226] verified) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with ESMTPS id 9834928 for sudakov@sibptus.tomsk.ru; Mon, 07 Apr 2008 22:49:05 +0700', ['77.106.108.226', 'sibmail.com', 'sibmail.com']],
  [SA_TEST, 'from [78.140.15.96] (HELO relay4.kvadro.net) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with ESMTPS id 9843045 for hostmaster@ns.tomsk.ru; Wed, 09 Apr 2008 02:31:33 +0700', ['78.140.15.96', null, 'relay4.kvadro.net']],
  [SA_TEST, 'from [78.140.0.68] (HELO mail.tomica.ru) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with ESMTP id 9837455 for hostmaster@ns.tomsk.ru; Tue, 08 Apr 2008 12:12:52 +0700', ['78.140.0.68', null, 'mail.tomica.ru']],
  [SA_TEST, 'from [88.204.72.252] (HELO tusur.ru) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with ESMTPS id 9823077 for hostmaster@ns.tomsk.ru; Fri, 04 Apr 2008 09:26:16 +0700', ['88.204.72.252', null, 'tusur.ru']],
  [SA_TEST, 'from [78.139.216.10] (HELO org-tms01.org.yukos.ru) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with SMTP id 9479501 for hostmaster@ns.tomsk.su; Wed, 26 Dec 2007 18:33:28 +0600', ['78.139.216.10', null, 'org-tms01.org.yukos.ru']],
  [SA_TEST, 'from [212.73.124.190] (account skudinva@sibptus.tomsk.ru HELO wxpskudinva.sibptus.transneft.ru) by relay2.tomsk.ru (CommuniGate Pro SMTP 5.1.13) with ESMTPSA id 9830625 for sudakov@sibptus.tomsk.ru; Mon, 07 Apr 2008 08:42:48 +0700', ['212.73.124.190', null, 'wxpskudinva.sibptus.transneft.ru']],
  [SA_TEST, 'from  [140.211.11.9] (HELO example.com) by smtp-gw138.mailanyone.net with esmtp (MailAnyone incSMTP Exim) id f138m939701uh17Yipk65; Fri, 04 Dec 2009 09:15:01 -0600', ['140.211.11.9', null, 'example.com']],
  [SA_TEST, 'from rc3.isc.org (rc3.isc.org [IPv6:2001:4f8:3:bb::25])       (using TLSv1 with cipher DHE-RSA-AES256-SHA (256/256 bits))        (No client certificate requested)  by sf1.isc.org (Postfix) with ESMTP id C986F284EE       for <jm@jmason.org>; Sat, 16 Oct 2004 21:30:02 +0000 (UTC) (envelope-from bind-users-bounce@isc.org)', ['2001:4f8:3:bb::25', 'rc3.isc.org', 'rc3.isc.org']],
  [SA_TEST, 'from 153.90.199.141        (SquirrelMail authenticated user admin); by web1.cs.montana.edu with HTTP;        Thu, 23 Sep 2004 14:35:29 -0600 (MDT)', ['153.90.199.141', null, null]],
  [SA_TEST, 'from ausisaps301-dmz.aus.amer.dell.com ([143.166.226.16]) (SquirrelMail authenticated user hoolis); by www.penguintowne.org with HTTP; Mon, 22 Mar 2004 12:54:13 -0600 (CST)', ['143.166.226.16', 'ausisaps301-dmz.aus.amer.dell.com', null]],
  [SA_TEST, 'from 67.85.219.192 (NaSMail authenticated user john.doe) by webmail.example.com with HTTP; Fri, 30 Mar 2012 12:39:58 +0100 (BST)', ['67.85.219.192', null, null]],
  [SA_TEST, 'from unknown (HELO ?151.80.38.67?) (myuser@mydomain.it@151.80.38.67) by mail.it-connect.it with SMTP; 28 Jan 2013 21:50:51 +0100', ['151.80.38.67', null, '?151.80.38.67?']],
  // The SpamAssassin messages in ../shared/data/real, and Python's email test corpus: every distinct Received header
  [shared('spam/001'), 'from webnote.net (mail.webnote.net [193.120.211.219]) by mail.netnoteinc.com (Postfix) with ESMTP id 09C18114095 for <jm7@netnoteinc.com>; Mon, 19 Feb 2001 13:57:29 +0000 (GMT)', ['193.120.211.219', 'mail.webnote.net', 'webnote.net']],
  [shared('spam/001'), 'from netsvr.Internet (USR-157-050.dr.cgocable.ca [24.226.157.50] (may be forged)) by webnote.net (8.9.3/8.9.3) with ESMTP id IAA29903 for <jm7@netnoteinc.com>; Sun, 18 Feb 2001 08:28:16 GMT', ['24.226.157.50', 'USR-157-050.dr.cgocable.ca', 'netsvr.Internet']],
  [shared('spam/001'), 'from R00UqS18S (max1-45.losangeles.corecomm.net [216.214.106.173]) by netsvr.Internet with SMTP (Microsoft Exchange Internet Mail Service Version 5.5.2653.13) id 1429NTL5; Sun, 18 Feb 2001 03:26:12 -0500', ['216.214.106.173', 'max1-45.losangeles.corecomm.net', 'R00UqS18S']],
  [shared('spam/002'), 'by mail (Postfix, from userid 500) id 66ADCD88BE; Thu, 10 Aug 2000 06:18:47 +0000 (Eire)', PASSED_OVER],
  [shared('spam/002'), 'from godzilla.justlinux.com (ns1.userchoice.com [209.90.19.2]) by webnote.net (8.9.3/8.9.3) with ESMTP id GAA09378 for <jm6@netnoteinc.com>; Thu, 10 Aug 2000 06:44:36 +0100', ['209.90.19.2', 'ns1.userchoice.com', 'godzilla.justlinux.com']],
  [shared('spam/002'), 'from www.fasttrec.com (04-160.034.popsite.net [192.216.54.160]) by godzilla.justlinux.com (8.8.7/8.8.7) with SMTP id AAA17668; Thu, 10 Aug 2000 00:35:18 -0500', ['192.216.54.160', '04-160.034.popsite.net', 'www.fasttrec.com']],
  [shared('spam/003'), 'from localhost (localhost.localdomain [127.0.0.1]) by jmlaptop.jmason.org (Postfix) with ESMTP id 7C912107E8 for <jm@localhost>; Fri, 31 Aug 2001 04:39:15 +0100 (IST)', ['127.0.0.1', 'localhost.localdomain', 'localhost']],
  [shared('spam/003'), 'from dogma.slashnull.org [212.17.35.15] by localhost with IMAP (fetchmail-5.7.4) for jm@localhost (single-drop); Fri, 31 Aug 2001 13:39:15 +1000 (EST)', PASSED_OVER],
  [shared('spam/003'), 'from mail.netnoteinc.com (gw.netnoteinc.com [193.120.149.226]) by dogma.slashnull.org (8.9.3/8.9.3) with ESMTP id MAA27911 for <jm@jmason.org>; Thu, 30 Aug 2001 12:13:06 +0100', ['193.120.149.226', 'gw.netnoteinc.com', 'mail.netnoteinc.com']],
  [shared('spam/003'), 'by mail.netnoteinc.com (Postfix) id 919BF114155; Thu, 30 Aug 2001 12:13:21 +0100 (IST)', PASSED_OVER],
  [shared('spam/003'), 'from www.goabroad.com.cn (unknown [211.100.6.104]) by mail.netnoteinc.com (Postfix) with ESMTP id 9515F1140BA for <jm7@netnoteinc.com>; Thu, 30 Aug 2001 11:13:19 +0000 (Eire)', ['211.100.6.104', null, 'www.goabroad.com.cn']],
  [shared('spam/003'), 'from yahoo.com (PPPa33-ResaleLosAngelesMetroB2-2R7452.dialinx.net [4.48.136.190]) by www.goabroad.com.cn (8.9.3/8.9.3) with SMTP id TAA96146; Thu, 30 Aug 2001 19:06:45 +0800 (CST) (envelope-from pertand@email.mondolink.com)', ['4.48.136.190', 'PPPa33-ResaleLosAngelesMetroB2-2R7452.dialinx.net', 'yahoo.com']],
  [shared('spam/004'), 'from localhost (localhost.localdomain [127.0.0.1]) by stinkpad.jmason.org (Postfix) with ESMTP id 5D48F10710 for <jm@localhost>; Fri, 7 Dec 2001 11:07:40 +1100 (EST)', ['127.0.0.1', 'localhost.localdomain', 'localhost']],
  [shared('spam/004'), 'from dogma.slashnull.org [212.17.35.14] by localhost with IMAP (fetchmail-5.7.4) for jm@localhost (single-drop); Fri, 07 Dec 2001 11:07:40 +1100 (EST)', PASSED_OVER],
  [shared('spam/004'), 'from mail.netnoteinc.com (gw.netnoteinc.com [193.120.149.226]) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id fB6Nw4V09475 for <jm@jmason.org>; Thu, 6 Dec 2001 23:58:04 GMT', ['193.120.149.226', 'gw.netnoteinc.com', 'mail.netnoteinc.com']],
  [shared('spam/004'), 'by mail.netnoteinc.com (Postfix) id A81F511441C; Thu, 6 Dec 2001 23:58:03 +0000 (GMT)', PASSED_OVER],
  [shared('spam/004'), 'from ns.sakakura-kk.co.jp (ns.sakakura-kk.co.jp [61.119.13.18]) by mail.netnoteinc.com (Postfix) with ESMTP id 4FD6F1143D6 for <jm@netnoteinc.com>; Thu, 6 Dec 2001 23:58:02 +0000 (Eire)', ['61.119.13.18', 'ns.sakakura-kk.co.jp', 'ns.sakakura-kk.co.jp']],
  [shared('spam/004'), 'from plain (ZHONGXIN [212.17.35.134]) by ns.sakakura-kk.co.jp with SMTP (Microsoft Exchange Internet Mail Service Version 5.5.2653.13) id YJQP6DKP; Fri, 7 Dec 2001 08:15:01 +0900', ['212.17.35.134', 'ZHONGXIN', 'plain']],
  [shared('spam/004'), 'from 144.137.3.98 (SquirrelMail authenticated user jmmail) by jmason.org with HTTP; Thu, 6 Dec 2001 09:21:06 -0000 (GMT)', ['144.137.3.98', null, null]],
  [shared('spam/005'), 'from localhost (localhost [127.0.0.1]) by phobos.labs.netnoteinc.com (Postfix) with ESMTP id B9527440CC for <jm@localhost>; Wed, 24 Jul 2002 05:43:09 -0400 (EDT)', ['127.0.0.1', 'localhost', 'localhost']],
  [shared('spam/005'), 'from dogma.slashnull.org [212.17.35.15] by localhost with IMAP (fetchmail-5.9.0) for jm@localhost (single-drop); Wed, 24 Jul 2002 10:43:09 +0100 (IST)', PASSED_OVER],
  [shared('spam/005'), 'from mandark.labs.netnoteinc.com ([213.105.180.140]) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id g6O9fF401441 for <jm@jmason.org>; Wed, 24 Jul 2002 10:41:15 +0100', ['213.105.180.140', null, 'mandark.labs.netnoteinc.com']],
  [shared('spam/005'), 'from online.affis.net ([211.237.50.21]) by mandark.labs.netnoteinc.com (8.11.6/8.11.6) with ESMTP id g6O9eQp17913 for <jm@netnoteinc.com>; Wed, 24 Jul 2002 10:40:27 +0100', ['211.237.50.21', null, 'online.affis.net']],
  [shared('spam/005'), 'from 212.19.84.198 (wireless-084-198.tele2.co.uk [212.19.84.198]) by online.affis.net (8.11.0/8.11.0) with SMTP id g6O9ZQW15692; Wed, 24 Jul 2002 18:35:28 +0900 (KST)', ['212.19.84.198', 'wireless-084-198.tele2.co.uk', '212.19.84.198']],
  [shared('spam/006'), 'from localhost (localhost [127.0.0.1]) by phobos.labs.netnoteinc.com (Postfix on SuSE Linux 8.0 (i386)) with ESMTP id 07C8914F703 for <jm@localhost>; Tue, 2 Jul 2002 12:49:36 +0100 (IST)', ['127.0.0.1', 'localhost', 'localhost']],
  [shared('spam/006'), 'from dogma.slashnull.org [212.17.35.15] by localhost with IMAP (fetchmail-5.9.0) for jm@localhost (single-drop); Tue, 02 Jul 2002 12:49:36 +0100 (IST)', PASSED_OVER],
  [shared('spam/006'), 'from mandark.labs.netnoteinc.com ([213.105.180.140]) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id g5T1PAX10009 for <jm@jmason.org>; Sat, 29 Jun 2002 02:25:10 +0100', ['213.105.180.140', null, 'mandark.labs.netnoteinc.com']],
  [shared('spam/006'), 'from kr-sel-opccmail.oakwoodpremier.co.kr ([211.218.220.77]) by mandark.labs.netnoteinc.com (8.11.6/8.11.2) with ESMTP id g5T1P4A08757; Sat, 29 Jun 2002 02:25:06 +0100', ['211.218.220.77', null, 'kr-sel-opccmail.oakwoodpremier.co.kr']],
  [shared('spam/006'), 'from mx14.hotmail.com ([200.83.20.140]) by kr-sel-opccmail.oakwoodpremier.co.kr with Microsoft SMTPSVC(5.0.2195.2966); Sat, 29 Jun 2002 02:36:44 +0900', ['200.83.20.140', null, 'mx14.hotmail.com']],
  [shared('spam/007'), 'from dogma.slashnull.org [212.17.35.15] by localhost with IMAP (fetchmail-5.7.4) for jm@localhost (single-drop); Fri, 07 Dec 2001 11:07:40 +1100 (EST)', PASSED_OVER],
  [shared('spam/007'), 'from plain (ZHONGXIN [210.73.88.134]) by ns.sakakura-kk.co.jp with SMTP (Microsoft Exchange Internet Mail Service Version 5.5.2653.13) id YJQP6DKP; Fri, 7 Dec 2001 08:15:01 +0900', ['210.73.88.134', 'ZHONGXIN', 'plain']],
  [shared('spam/012'), 'from paypal.com (mail1.paypal.com [80.8.136.186]) by b.mx.sonic.net (8.12.10/8.12.7) with SMTP id i19FLtmt026870 for <user@example.com>; Mon, 9 Feb 2004 07:21:57 -0800', ['80.8.136.186', 'mail1.paypal.com', 'paypal.com']],
  [shared('spam/012'), 'from [8.141.200.111] by mail1.paypal.com with SMTP; Mon, 09 Feb 2004 23:17:44 -0600', ['8.141.200.111', null, null]],
  [shared('spam/013'), 'from example.com (mail1.example.com [80.8.136.186]) by b.mx.sonic.net (8.12.10/8.12.7) with SMTP id i19FLtmt026870 for <user@example.com>; Mon, 9 Feb 2004 07:21:57 -0800', ['80.8.136.186', 'mail1.example.com', 'example.com']],
  [shared('spam/013'), 'from [8.141.200.111] by mail1.example.com with SMTP; Mon, 09 Feb 2004 23:17:44 -0600', ['8.141.200.111', null, null]],
  [shared('spam/015'), 'from CM-vtr0-104-67.cm.vtr.net (unknown [200.83.104.67]) by eclectic.kluge.net (Postfix) with SMTP id 23F574480F4 for <user@example.com>; Thu, 2 Dec 2004 10:55:53 -0500 (EST)', ['200.83.104.67', null, 'CM-vtr0-104-67.cm.vtr.net']],
  [shared('spam/015'), 'from 196.170.26.200 by 200.83.104.67; Thu, 02 Dec 2004 10:55:50 -0500', ['196.170.26.200', null, null]],
  [shared('spam/dnsbl.eml'), 'from internal.example.com [127.0.0.1] by localhost for someone@example.com; Fri, 07 Dec 2001 11:07:40 +1100 (EST)', ['127.0.0.1', 'internal.example.com', null]],
  [shared('spam/dnsbl.eml'), 'from dmz.example.com [150.51.53.1] by internal.example.com for someone@example.com; Fri, 07 Dec 2001 11:07:35 +1100 (EST)', ['150.51.53.1', 'dmz.example.com', null]],
  [shared('spam/dnsbl.eml'), 'from friend.example.com [212.17.35.14] by dmz.example.com for someone@example.com; Fri, 07 Dec 2001 11:07:35 +1100 (EST)', ['212.17.35.14', 'friend.example.com', null]],
  [shared('spam/dnsbl.eml'), 'from notrust.example.com [193.120.149.226] by friend.example.com for someone@example.com; Fri, 07 Dec 2001 11:07:30 +1100 (EST)', ['193.120.149.226', 'notrust.example.com', null]],
  [shared('spam/dnsbl.eml'), 'from loser.example.org [61.119.13.18] by notrust.example.com for someone@example.com; Fri, 07 Dec 2001 11:07:25 +1100 (EST)', ['61.119.13.18', 'loser.example.org', null]],
  [shared('spam/dnsbl.eml'), 'from chaos.example.net [210.73.88.134] by loser.example.org for someone@example.com; Fri, 07 Dec 2001 11:07:20 +1100 (EST)', ['210.73.88.134', 'chaos.example.net', null]],
  [shared('spam/dnsbl.eml'), 'from evil.example.net [144.137.3.98] by chaos.example.net for someone@example.com; Fri, 07 Dec 2001 11:07:15 +1100 (EST)', ['144.137.3.98', 'evil.example.net', null]],
  [shared('spam/relayUS.eml'), 'from google-public-dns-a.google.com (google-public-dns-a.google.com [8.8.8.8]) by in.example.com (Postfix) with ESMTPS for <test@example.com>; Wed, 18 Jul 2018 21:12:22 +0200 (CEST)', ['8.8.8.8', 'google-public-dns-a.google.com', 'google-public-dns-a.google.com']],
  [shared('spam/relayUS.eml'), 'by google-public-dns-a.google.com with SMTP id f21-v6so3811271wmc.5 for <test@example.com>; Wed, 18 Jul 2018 12:12:22 -0700 (PDT)', PASSED_OVER],
  [shared('nice/001'), 'from dogma.slashnull.org (dogma.slashnull.org [212.17.35.15]) by mail.netnoteinc.com (Postfix) with ESMTP id 830E5115158 for <jm@netnoteinc.com>; Tue, 15 May 2001 23:40:33 +0000 (Eire)', ['212.17.35.15', 'dogma.slashnull.org', 'dogma.slashnull.org']],
  [shared('nice/001'), '(from jm@localhost) by dogma.slashnull.org (8.9.3/8.9.3) id AAA30873 for jm@netnoteinc.com; Wed, 16 May 2001 00:40:33 +0100', PASSED_OVER],
  [shared('nice/001'), 'from trna.ximian.com ([141.154.95.22]) by dogma.slashnull.org (8.9.3/8.9.3) with ESMTP id AAA30867 for <jm-ximian@jmason.org>; Wed, 16 May 2001 00:40:31 +0100', ['141.154.95.22', null, 'trna.ximian.com']],
  [shared('nice/001'), 'from trna.ximian.com (IDENT:nobody@localhost [127.0.0.1]) by trna.ximian.com (8.9.3/8.9.3) with ESMTP id SAA19408; Tue, 15 May 2001 18:26:07 -0400', ['127.0.0.1', 'localhost', 'trna.ximian.com']],
  [shared('nice/001'), 'from milkplus (62-122-4-47.flat.galactica.it [62.122.4.47]) by trna.ximian.com (8.9.3/8.9.3) with ESMTP id RAA19544; Tue, 15 May 2001 17:31:24 -0400', ['62.122.4.47', '62-122-4-47.flat.galactica.it', 'milkplus']],
  [shared('nice/001'), 'by milkplus (Postfix, from userid 1000) id D3FDD10B051; Tue, 15 May 2001 17:31:22 -0400 (EDT)', PASSED_OVER],
  [shared('nice/002'), 'from localhost (localhost.localdomain [127.0.0.1]) by stinkpad.jmason.org (Postfix) with ESMTP id 3AF5610710 for <jm@localhost>; Fri, 7 Dec 2001 10:47:43 +1100 (EST)', ['127.0.0.1', 'localhost.localdomain', 'localhost']],
  [shared('nice/002'), 'from dogma.slashnull.org [212.17.35.15] by localhost with IMAP (fetchmail-5.7.4) for jm@localhost (single-drop); Fri, 07 Dec 2001 10:47:44 +1100 (EST)', PASSED_OVER],
  [shared('nice/002'), 'from usw-sf-list1.sourceforge.net (usw-sf-fw2.sourceforge.net [216.136.171.252]) by dogma.slashnull.org (8.11.6/8.11.6) with ESMTP id fB69MYV12654 for <jm-sa@jmason.org>; Thu, 6 Dec 2001 09:22:34 GMT', ['216.136.171.252', 'usw-sf-fw2.sourceforge.net', 'usw-sf-list1.sourceforge.net']],
  [shared('nice/002'), 'from localhost ([127.0.0.1] helo=usw-sf-list1.sourceforge.net) by usw-sf-list1.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 16BujB-0003YE-00; Thu, 06 Dec 2001 01:22:01 -0800', ['127.0.0.1', 'localhost', 'usw-sf-list1.sourceforge.net']],
  [shared('nice/002'), 'from dogma.slashnull.org ([212.17.35.15]) by usw-sf-list1.sourceforge.net with esmtp (Exim 3.31-VA-mm2 #1 (Debian)) id 16BuiR-0003Pd-00 for <spamassassin-talk@lists.sourceforge.net>; Thu, 06 Dec 2001 01:21:15 -0800', ['212.17.35.15', 'dogma.slashnull.org', 'dogma.slashnull.org']],
  [shared('nice/002'), '(from apache@localhost) by dogma.slashnull.org (8.11.6/8.11.6) id fB69L7c12619; Thu, 6 Dec 2001 09:21:07 GMT', PASSED_OVER],
  [shared('nice/005'), 'from localhost.localdomain (localhost.localdomain [127.0.0.1]) by mail.jg555.com (Postfix) with ESMTP id 0197E43E6 for <maillist@jg555.com>; Wed, 10 Jul 2002 08:21:12 -0700 (PDT)', ['127.0.0.1', 'localhost.localdomain', 'localhost.localdomain']],
  [shared('nice/007'), 'from localhost ([127.0.0.1]) by green.daf.ddts.net with esmtp (Exim 3.36 #1 (Debian)) id 192LK9-0005OD-01 for <daf-rogers@localhost>; Sun, 06 Apr 2003 21:21:25 -0400', ['127.0.0.1', null, 'localhost']],
  [shared('nice/007'), 'from pop.bloor.is.net.cable.rogers.com [66.185.95.101] by localhost with POP3 (fetchmail-6.2.1) for daf-rogers@localhost (single-drop); Sun, 06 Apr 2003 21:21:25 -0400 (EDT)', PASSED_OVER],
  [shared('nice/007'), 'from green.daf.ddts.net ([24.102.84.250]) by fep02-mail.bloor.is.net.cable.rogers.com (InterMail vM.5.01.05.12 201-253-122-126-112-20020820) with ESMTP id <20030407012009.DZS311274.fep02-mail.bloor.is.net.cable.rogers.com@green.daf.ddts.net> for <duncf@rogers.com>; Sun, 6 Apr 2003 21:20:09 -0400', ['24.102.84.250', null, 'green.daf.ddts.net']],
  [shared('nice/007'), 'from daf by green.daf.ddts.net with local (Exim 3.36 #1 (Debian)) id 192LJf-0005O7-00 for <duncf@rogers.com>; Sun, 06 Apr 2003 21:20:55 -0400', PASSED_OVER],
  [shared('nice/orig_ip_hdr.eml'), 'from dnsbltest.spamassassin.org (dnsbltest.spamassassin.org [64.142.3.173]) by probeer.bokxing.nl (probeer.alt001.com [87.253.148.98]) with ESMTP id YN8t6r6y41Ly for <rolek@example.nl>; Mon, 11 Oct 2010 14:21:26 +0200 (CEST)', ['64.142.3.173', 'dnsbltest.spamassassin.org', 'dnsbltest.spamassassin.org']],
  [shared('nice/spf3'), 'from dnsbltest.spamassassin.org (dnsbltest.spamassassin.org [65.214.43.158]) by dnsbltest.spamassassin.org (Postfix) with SMTP id B9B2931016D for <jm-google-news-alerts@jmason.org>; Tue, 10 Feb 2004 18:18:49 +0000 (GMT)', ['65.214.43.158', 'dnsbltest.spamassassin.org', 'dnsbltest.spamassassin.org']],
  [shared('nice/spf3'), 'from dnsbltest.spamassassin.org (dnsbltest.spamassassin.org [64.142.3.173]) by dnsbltest.spamassassin.org (Postfix) with SMTP id B9B2931016D for <jm-google-news-alerts@jmason.org>; Tue, 10 Feb 2004 18:18:49 +0000 (GMT)', ['64.142.3.173', 'dnsbltest.spamassassin.org', 'dnsbltest.spamassassin.org']],
  [shared('nice/spf3'), 'from dnsbltest.spamassassin.org (dnsbltest.spamassassin.org [65.214.43.155]) by dnsbltest.spamassassin.org (Postfix) with SMTP id B9B2931016D for <jm-google-news-alerts@jmason.org>; Tue, 10 Feb 2004 18:18:49 +0000 (GMT)', ['65.214.43.155', 'dnsbltest.spamassassin.org', 'dnsbltest.spamassassin.org']],
  [shared('nice/spf3'), 'from dnsbltest.spamassassin.org (dnsbltest.spamassassin.org [65.214.43.156]) by dnsbltest.spamassassin.org (Postfix) with SMTP id B9B2931016D for <jm-google-news-alerts@jmason.org>; Tue, 10 Feb 2004 18:18:49 +0000 (GMT)', ['65.214.43.156', 'dnsbltest.spamassassin.org', 'dnsbltest.spamassassin.org']],
  [shared('nice/spf3'), 'from dnsbltest.spamassassin.org (dnsbltest.spamassassin.org [65.214.43.157]) by amgod.boxhost.net (Postfix) with SMTP id B9B2931016D for <jm-google-news-alerts@jmason.org>; Tue, 10 Feb 2004 18:18:49 +0000 (GMT)', ['65.214.43.157', 'dnsbltest.spamassassin.org', 'dnsbltest.spamassassin.org']],
  [shared('nice/spf3'), 'by proxy.google.com with SMTP id so1951389 for <jm-google-news-alerts@jmason.org>; Tue, 10 Feb 2004 10:14:01 -0800 (PST)', PASSED_OVER],
  [shared('nice/spf3'), 'by abbulk2 with SMTP id mr733125; Tue, 10 Feb 2004 10:14:01 -0800 (PST)', PASSED_OVER],
  [python('msg_01.txt'), 'by mail.zzz.org (Postfix, from userid 889) id 27CEAD38CC; Fri, 4 May 2001 14:05:44 -0400 (EDT)', PASSED_OVER],
  [python('msg_04.txt'), 'by mail.python.org (Postfix, from userid 889) id C2BF0D37C6; Tue, 11 Sep 2001 00:05:05 -0400 (EDT)', PASSED_OVER],
  [python('msg_15.txt'), 'from fepD.post.tele.dk (195.41.46.149) by mail.groupcare.dk (LSMTP for Windows NT v1.1b) with SMTP id <0.0014F8A2@mail.groupcare.dk>; Mon, 30 Apr 2001 12:17:50 +0200', ['195.41.46.149', 'fepD.post.tele.dk', 'fepD.post.tele.dk']],
  [python('msg_16.txt'), 'from cougar.noc.ucla.edu (cougar.noc.ucla.edu [169.232.10.18]) by babylon.socal-raves.org (Postfix) with ESMTP id CCC2C51B84 for <scr-admin@socal-raves.org>; Sun, 23 Sep 2001 20:13:54 -0700 (PDT)', ['169.232.10.18', 'cougar.noc.ucla.edu', 'cougar.noc.ucla.edu']],
  [python('msg_16.txt'), 'from sims-ms-daemon by cougar.noc.ucla.edu (Sun Internet Mail Server sims.3.5.2000.03.23.18.03.p10) id <0GK500B01D0B8Y@cougar.noc.ucla.edu> for scr-admin@socal-raves.org; Sun, 23 Sep 2001 20:14:35 -0700 (PDT)', PASSED_OVER],
  [python('msg_16.txt'), 'from cougar.noc.ucla.edu (Sun Internet Mail Server sims.3.5.2000.03.23.18.03.p10) id <0GK500B01D0B8X@cougar.noc.ucla.edu>; Sun, 23 Sep 2001 20:14:35 -0700 (PDT)', PASSED_OVER],
  [python('msg_25.txt'), 'from [204.245.199.98] (helo=zinfandel.lacita.com) by www.linux.org.uk with esmtp (Exim 3.13 #1) id 14lYR6-0008Iv-00 for linuxuser-admin@www.linux.org.uk; Fri, 06 Apr 2001 16:46:09 +0100', ['204.245.199.98', null, 'zinfandel.lacita.com']],
  [python('msg_25.txt'), 'from localhost (localhost) by zinfandel.lacita.com (8.7.3/8.6.10-MT4.00) with internal id JAB03225; Fri, 6 Apr 2001 09:23:06 -0800 (GMT-0800)', PASSED_OVER],
  [python('msg_26.txt'), 'from xcar [192.168.0.2] by jeeves.wooster.local (SMTPD32-7.07 EVAL) id AFF92F0214; Sun, 12 May 2002 08:55:37 +0100', ['192.168.0.2', null, 'xcar']],
  [python('msg_27.txt'), 'by mail.dom.ain (Postfix, from userid 889) id B9D0AD35DB; Tue, 4 Jun 2002 21:46:59 -0400 (EDT)', PASSED_OVER],
  [python('msg_46.txt'), 'from example.org (example.org [64.5.53.58]) by example.net (node=mxbap2) with ESMTP (Nemesis) id UNIQUE for someone@example.com; Mon, 08 Feb 2010 14:05:16 +0100', ['64.5.53.58', 'example.org', 'example.org']],
  // rspamd's Received parser test
  [RSPAMD_TEST, 'from asx121.turbo-inline.com [7.165.23.113] by mx.reskind.net with QMQP; Fri, 08 Feb 2019 06:56:18 -0500', ['7.165.23.113', 'asx121.turbo-inline.com', null]],
  [RSPAMD_TEST, 'from server.chat-met-vreemden.nl (unknown [IPv6:2a01:7c8:aab6:26d:5054:ff:fed1:1da2]) (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) (Client did not present a certificate) by mx1.freebsd.org (Postfix) with ESMTPS id CF0171862 for <test@example.com>; Mon,  6 Jul 2015 09:01:20 +0000 (UTC) (envelope-from upwest201diana@outlook.com)', ['2a01:7c8:aab6:26d:5054:ff:fed1:1da2', null, 'server.chat-met-vreemden.nl']],
  [RSPAMD_TEST, 'from out-9.smtp.github.com (out-9.smtp.github.com [192.30.254.192]) (using TLSv1.2 with cipher AECDH-AES256-SHA (256/256 bits)) (No client certificate requested) by mail.highsecure.ru (Postfix) with ESMTPS id C7B1A30014A for <xxx@xxx.xxx>; Tue,  3 Jul 2018 14:40:19 +0200 (CEST)', ['192.30.254.192', 'out-9.smtp.github.com', 'out-9.smtp.github.com']],
  [RSPAMD_TEST, 'from localhost ([127.0.0.1]:49019 helo=hummus.csx.cam.ac.uk) by hummus.csx.cam.ac.uk with esmtp (Exim 4.91-pdpfix1) (envelope-from <exim-dev-bounces@exim.org>) id 1fZ55o-0006DP-3H for <xxx@xxx.xxx>; Sat, 30 Jun 2018 02:54:28 +0100', ['127.0.0.1', 'localhost', 'hummus.csx.cam.ac.uk']],
  [RSPAMD_TEST, 'from smtp.spodhuis.org ([2a02:898:31:0:48:4558:736d:7470]:38689 helo=mx.spodhuis.org) by hummus.csx.cam.ac.uk with esmtpsa (TLSv1.3:TLS_AES_256_GCM_SHA384:256) (Exim 4.91-pdpfix1+cc) (envelope-from <xxx@exim.org>) id 1fZ55k-0006CO-9M for exim-dev@exim.org; Sat, 30 Jun 2018 02:54:24 +0100', ['2a02:898:31:0:48:4558:736d:7470', 'smtp.spodhuis.org', 'mx.spodhuis.org']],
  [RSPAMD_TEST, 'from aaa.cn ([1.1.1.1]) by localhost.localdomain (Haraka/2.8.18) with ESMTPA id 349C9C2B-491A-4925-A687-3EF14038C344.1 envelope-from <huxin@xxx.com> (authenticated bits=0); Tue, 03 Jul 2018 14:18:13 +0200', ['1.1.1.1', null, 'aaa.cn']],
  [RSPAMD_TEST, 'from [61.174.163.26] (helo=host) by sc8-sf-list1.sourceforge.net with smtp (Exim 3.31-VA-mm2 #1 (Debian)) id 18t2z0-0001NX-00 for <razor-users@lists.sourceforge.net>; Wed, 12 Mar 2003 01:57:10 -0800', ['61.174.163.26', null, 'host']],
  [RSPAMD_TEST, 'from [127.0.0.1] (unknown [65.19.167.131]) (using TLSv1.2 with cipher ECDHE-RSA-AES256-GCM-SHA384 (256/256 bits)) (Client did not present a certificate) by mail01.someotherdomain.org (Postfix) with ESMTPSA id 43tYMW2yKHz50MHS for <user2@somedomain.com>; Mon,  4 Feb 2019 16:39:35 +0000 (GMT)', ['65.19.167.131', null, '[127.0.0.1]']],
  // Mailing-list archives (the message named by its list, sender domain and date)
  [archive('linux-kernel list, Jonathan Cameron <Jonathan.Cameron@Huawei.com>, 3 Oct 2023'), 'from localhost (10.202.227.76) by lhrpeml500005.china.huawei.com (7.191.163.240) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256) id 15.1.2507.31; Tue, 3 Oct 2023 17:17:43 +0100', ['10.202.227.76', null, 'localhost']],
  [archive('stable@vger.kernel.org, Bernd Edlinger, 20 Mar 2020, Message-ID <AM6PR03MB51701CB541B08F21D56DCAC9E4F50@AM6PR03MB5170.eurprd03.prod.outlook.com>'), 'from DB3EUR04FT027.eop-eur04.prod.protection.outlook.com (2a01:111:e400:7e0c::35) by DB3EUR04HT134.eop-eur04.prod.protection.outlook.com (2a01:111:e400:7e0c::356) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.2814.13; Fri, 20 Mar 2020 20:27:45 +0000', ['2a01:111:e400:7e0c::35', null, 'DB3EUR04FT027.eop-eur04.prod.protection.outlook.com']],
  [archive('stable@vger.kernel.org, Bernd Edlinger, 20 Mar 2020 (the same message)'), 'from AM6PR03MB5170.eurprd03.prod.outlook.com ([fe80::1956:d274:cab3:b4dd]) by AM6PR03MB5170.eurprd03.prod.outlook.com ([fe80::1956:d274:cab3:b4dd%6]) with mapi id 15.20.2835.017; Fri, 20 Mar 2020 20:27:44 +0000', PASSED_OVER],
  [archive('stable@vger.kernel.org, Bernd Edlinger, 20 Mar 2020 (the same message)'), 'from [192.168.1.101] (92.77.140.102) by ZR0P278CA0021.CHEP278.PROD.OUTLOOK.COM (2603:10a6:910:1c::8) with Microsoft SMTP Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.2835.19 via Frontend Transport; Fri, 20 Mar 2020 20:27:43 +0000', ['92.77.140.102', null, '[192.168.1.101]']],
  [archive('stable@vger.kernel.org, Bernd Edlinger, 20 Mar 2020 (the same message)'), 'from mail-oln040092074062.outbound.protection.outlook.com ([40.92.74.62]:50153 "EHLO EUR04-DB3-obe.outbound.protection.outlook.com" rhost-flags-OK-OK-OK-FAIL) by vger.kernel.org with ESMTP id S1726789AbgCTU1s (ORCPT <rfc822;stable@vger.kernel.org>); Fri, 20 Mar 2020 16:27:48 -0400', ['40.92.74.62', 'mail-oln040092074062.outbound.protection.outlook.com', 'EUR04-DB3-obe.outbound.protection.outlook.com']],
  [archive('stable@vger.kernel.org, Bernd Edlinger, 20 Mar 2020 (the same message)'), '(majordomo@vger.kernel.org) by vger.kernel.org via listexpand id S1726840AbgCTU1s (ORCPT <rfc822;lists+stable@lfdr.de>); Fri, 20 Mar 2020 16:27:48 -0400', PASSED_OVER],
  [archive('linux-kernel list, Wen Yang <wen.yang99@zte.com.cn>, 6 May 2019'), 'from fox-host8.localdomain ([10.74.120.8]) by szsmtp06.zte.com.cn (Lotus Domino Release 8.5.3FP6) with ESMTP id 2019050615032991-10027949 ; Mon, 6 May 2019 15:03:29 +0800', ['10.74.120.8', null, 'fox-host8.localdomain']],
  [archive('a patch mail through idefix.phytec.de, 23 Apr 2013'), 'from [172.16.10.7] ([127.0.0.1]) by idefix.phytec.de (Lotus Domino Release 8.5.3FP3) with ESMTP id 2013042312531624-164750 ; Tue, 23 Apr 2013 12:53:16 +0200', ['127.0.0.1', null, '[172.16.10.7]']],
  [archive('git@vger.kernel.org, through mail1.iar.com, 16 Jul 2008'), 'from exchange.iar.se ([10.200.10.15]) by mail1.iar.com (mail1.iar.com) (MDaemon PRO v9.6.5) with ESMTP id md50001359993.msg for <git@vger.kernel.org>; Wed, 16 Jul 2008 19:50:37 +0200', ['10.200.10.15', null, 'exchange.iar.se']],
  [archive('a list mail through auristor.com, 20 Dec 2023'), 'from [IPV6:2603:7000:73c:c800:b4b0:7f91:4ad9:4ee] by auristor.com (IPv6:2001:470:1f07:f77:28d9:68fb:855d:c2a5) (MDaemon PRO v23.5.1) with ESMTPSA id md5001003764615.msg; Wed, 20 Dec 2023 08:35:58 -0500', ['2603:7000:73c:c800:b4b0:7f91:4ad9:4ee', null, null]],
  [archive('a list mail through auristor.com, 13 May 2026'), 'from smtpclient.apple ([143.244.47.72]) by auristor.com (208.125.0.237) (MDaemon PRO v26.0.2) with ESMTPSA id md5001005270902.msg; Wed, 13 May 2026 05:48:12 -0400', ['143.244.47.72', null, 'smtpclient.apple']],
  [archive('spam to industrypack-devel@lists.sourceforge.net, 25 Oct 2021'), 'from cninfo.net by mail.love0001.xyz (MDaemon PRO v10.1.1) with ESMTP id md50000092331.msg for <industrypack-devel@lists.sourceforge.net>; Mon, 25 Oct 2021 20:59:52 +0800', PASSED_OVER],
  [archive('a list mail through elaine.keithp.com (amavisd-new), 7 Oct 2019'), 'from elaine.keithp.com ([127.0.0.1]) by localhost (elaine.keithp.com [127.0.0.1]) (amavisd-new, port 10024) with LMTP id YENfxiy2KoPi; Mon,  7 Oct 2019 11:16:33 -0700 (PDT)', PASSED_OVER],
  [archive('a list mail through bastet.se.axis.com (amavisd-new), 15 Mar 2019'), 'from bastet.se.axis.com ([IPv6:::ffff:127.0.0.1]) by localhost (bastet.se.axis.com [::ffff:127.0.0.1]) (amavisd-new, port 10024) with LMTP id wPRZ9UvIVLX0; Fri, 15 Mar 2019 09:35:02 +0100 (CET)', PASSED_OVER],
  [archive('a list mail through elaine.keithp.com, 7 Oct 2019'), 'from keithp.com (koto.keithp.com [10.0.0.2]) by elaine.keithp.com (Postfix) with ESMTPSA id 17DB13F29594; Mon,  7 Oct 2019 11:16:33 -0700 (PDT)', ['10.0.0.2', 'koto.keithp.com', 'keithp.com']],
  [archive('a list mail through bastet.se.axis.com, 15 Mar 2019'), 'from boulder03.se.axis.com (boulder03.se.axis.com [10.0.8.17]) by bastet.se.axis.com (Postfix) with ESMTPS id 82E47184E2; Fri, 15 Mar 2019 09:35:02 +0100 (CET)', ['10.0.8.17', 'boulder03.se.axis.com', 'boulder03.se.axis.com']],
];

function sourceOf(source: Source | string): Source {
  return typeof source === 'string' ? cited(source) : source;
}

/** The Received header values of a message file, unfolded, whitespace collapsed. */
function receivedHeaders(path: string): string[] {
  const text = readFileSync(path, 'latin1');
  const head = text.split(/\r?\n\r?\n/, 1)[0];
  const headers: string[] = [];
  for (const line of head.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && headers.length > 0) headers[headers.length - 1] += ` ${line.trim()}`;
    else headers.push(line);
  }
  return headers.filter((header) => /^received:/i.test(header)).map((header) => header.replace(/^received:\s*/i, '').replace(/\s+/g, ' ').trim());
}

/** The formats issue 19 names, each with how a row of it is recognised. */
const FORMATS: ReadonlyArray<readonly [string, RegExp]> = [
  ['Sendmail', /\(8\.\d+\.\d+/],
  ['Postfix', /\(Postfix\)/],
  ['Exim', /\(Exim \d/],
  ['qmail', /\(HELO [^)]*\) \(/],
  ['Microsoft SMTPSVC', /Microsoft SMTPSVC/],
  ['Exchange', /Microsoft SMTP Server/],
  ['CommuniGate', /CommuniGate Pro/],
  ['Lotus', /Lotus Domino/],
  ['ecelerity', /\(ecelerity /],
  ['MDaemon', /MDaemon PRO/],
  ['XMail', /\[XMail /],
  ['GMX/web.de', /by (?:mail|www\d*)\.gmx\.net/],
  ['webmail HTTP hops', /with HTTP\b/],
  ['[IPv6:...] literals', /\[IPv6:/i],
  ['ip:port', /\(\d+\.\d+\.\d+\.\d+:\d+\)/],
  ['[ip]:port', /\]:\d+/],
  ['(HELO ?ip?)', /\(HELO \?[\d.]+\?\)/],
  ['helo= inside the brackets', /\(\[[^\]]+\][^)]* helo=/],
  ['qmail invoked by uid', /invoked by uid/],
  ['fetchmail', /fetchmail-/],
  ['LMTP', /with LMTP/],
  ['local pickup', /mail pickup service|with local\b/],
];

describe('Received headers written by real MTAs', () => {
  test(`the table holds at least 120 real lines (${TABLE.length}), every format the issue names among them`, () => {
    assert.ok(TABLE.length >= 120, `${TABLE.length} lines`);
    for (const [name, pattern] of FORMATS) assert.ok(TABLE.some(([, header]) => pattern.test(header)), `no ${name} line in the table`);
  });

  test('each line collected from a file on this machine occurs in that file', () => {
    const byFile = new Map<string, string[]>();
    for (const [source, header] of TABLE) {
      const { file } = sourceOf(source);
      if (file === null) continue;
      let headers = byFile.get(file);
      if (!headers) {
        // The Python corpus comes with Debian's libpython3.11-testsuite (scripts/system-deps.sh installs it).
        headers = receivedHeaders(file);
        byFile.set(file, headers);
      }
      assert.ok(headers.includes(header), `${file} has no Received header ${JSON.stringify(header)}`);
    }
    assert.ok(byFile.size >= 20, `${byFile.size} files`);
  });

  for (const [index, [source, header, expected]] of TABLE.entries()) {
    test(`${index + 1}: ${sourceOf(source).citation}: ${header.slice(0, 90)}`, () => {
      const hop = parseReceived(header);
      const ip = hop.address ? formatAddress(hop.address.family, hop.address.value) : null;
      if (expected === PASSED_OVER) {
        assert.equal(ip, null, `expected to be passed over, got ${ip}`);
        assert.ok(hop.passedOver !== null && hop.passedOver !== '', 'a reason for passing it over');
        return;
      }
      assert.deepEqual([ip, hop.reverseName, hop.helo], expected);
      assert.equal(hop.passedOver, null);
    });
  }
});
