package Sbx::Programs;

# Programs in every language of runner/languages.json, for
# t/022-languages-all.t:
#
#   %Torture: reads a line and, for "crash", fails the way that language
#   fails (an exception, an abort, a runtime check); for "loop", spins on
#   the CPU forever; for anything else, allocates and touches memory
#   until it is stopped.  One program, three tests: one compile.
#
#   %Broken: for a language with a compile step, [LINE, PROGRAM]: a
#   program that does not compile, whose first diagnostic is at LINE.

use strict;
use warnings;

our (%Torture, %Broken);

$Torture{'python'} = <<'EOP';
cmd = input()
if cmd == "crash":
    raise ValueError("crash")
if cmd == "loop":
    while True:
        pass
hoard = []
while True:
    hoard.append("x" * (1 << 20) + str(len(hoard)))
EOP

$Torture{'c'} = <<'EOP';
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char cmd[16] = "";
    volatile unsigned long n = 0;

    if (scanf("%15s", cmd) != 1)
        return 2;
    if (strcmp(cmd, "crash") == 0)
        abort();
    if (strcmp(cmd, "loop") == 0)
        for (;;)
            n++;
    for (;;) {
        char *p = malloc(1 << 20);
        if (p == NULL)
            return 3;
        memset(p, 1, 1 << 20);
    }
}
EOP

$Broken{'c'} = [3, <<'EOP'];
int main(void)
{
    return x;
}
EOP

$Torture{'cpp'} = <<'EOP';
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

int main()
{
    std::string cmd;
    std::cin >> cmd;
    if (cmd == "crash")
        throw std::runtime_error("crash");
    if (cmd == "loop") {
        volatile unsigned long n = 0;
        for (;;)
            n++;
    }
    std::vector<std::string> hoard;
    for (;;)
        hoard.emplace_back(1 << 20, 'x');
}
EOP

$Broken{'cpp'} = [3, <<'EOP'];
int main()
{
    return x;
}
EOP

$Torture{'java'} = <<'EOP';
import java.util.*;

public class Torture {
    public static void main(String[] args) {
        String cmd = new Scanner(System.in).next();
        if (cmd.equals("crash"))
            throw new IllegalStateException("crash");
        if (cmd.equals("loop")) {
            long n = 0;
            while (true)
                n++;
        }
        List<long[]> hoard = new ArrayList<>();
        while (true)
            hoard.add(new long[1 << 17]);
    }
}
EOP

$Broken{'java'} = [3, <<'EOP'];
public class Broken {
    public static void main(String[] args) {
        int x = y;
    }
}
EOP

$Torture{'kotlin'} = <<'EOP';
fun main() {
    val cmd = readLine()!!.trim()
    if (cmd == "crash") throw IllegalStateException("crash")
    if (cmd == "loop") {
        var n = 0L
        while (true) n++
    }
    val hoard = ArrayList<LongArray>()
    while (true) hoard.add(LongArray(1 shl 17))
}
EOP

$Broken{'kotlin'} = [2, <<'EOP'];
fun main() {
    val x: Int = "s"
}
EOP

$Torture{'javascript'} = <<'EOP';
const cmd = require('fs').readFileSync(0, 'utf8').trim();
if (cmd === 'crash') throw new Error('crash');
if (cmd === 'loop') for (;;) {}
const hoard = [];
for (;;) hoard.push(Buffer.alloc(1 << 20, 1));
EOP

$Torture{'typescript'} = <<'EOP';
import * as fs from 'fs';

const cmd: string = fs.readFileSync(0, 'utf8').trim();
if (cmd === 'crash') throw new Error('crash');
if (cmd === 'loop') for (;;) {}
const hoard: Buffer[] = [];
for (;;) hoard.push(Buffer.alloc(1 << 20, 1));
EOP

$Broken{'typescript'} = [2, <<'EOP'];
const x: number = 1;
const y: string = x;
console.log(y);
EOP

$Torture{'go'} = <<'EOP';
package main

import "fmt"

func main() {
	var cmd string
	fmt.Scan(&cmd)
	if cmd == "crash" {
		panic("crash")
	}
	if cmd == "loop" {
		for {
		}
	}
	var hoard [][]byte
	for {
		b := make([]byte, 1<<20)
		for i := range b {
			b[i] = 1
		}
		hoard = append(hoard, b)
	}
}
EOP

$Broken{'go'} = [4, <<'EOP'];
package main

func main() {
	x := 1
}
EOP

$Torture{'rust'} = <<'EOP';
use std::io;

fn main() {
    let mut cmd = String::new();
    io::stdin().read_line(&mut cmd).unwrap();
    match cmd.trim() {
        "crash" => panic!("crash"),
        "loop" => {
            let mut n: u64 = 0;
            loop {
                n = n.wrapping_add(1);
                if n == 0 {
                    println!("{}", n);
                }
            }
        }
        _ => {
            let mut hoard: Vec<Vec<u8>> = Vec::new();
            loop {
                hoard.push(vec![1u8; 1 << 20]);
            }
        }
    }
}
EOP

$Broken{'rust'} = [2, <<'EOP'];
fn main() {
    let x: i32 = "s";
}
EOP

$Torture{'ruby'} = <<'EOP';
cmd = gets.strip
raise "crash" if cmd == "crash"
loop {} if cmd == "loop"
hoard = []
loop { hoard << "x" * (1 << 20) }
EOP

$Torture{'php'} = <<'EOP';
<?php
$cmd = trim(fgets(STDIN));
if ($cmd === "crash") throw new Exception("crash");
if ($cmd === "loop") for (;;) {}
ini_set("memory_limit", "-1");
$hoard = [];
for (;;) $hoard[] = str_repeat("x", 1 << 20) . count($hoard);
EOP

$Torture{'bash'} = <<'EOP';
read -r cmd
set -e
if [ "$cmd" = crash ]; then false; fi
if [ "$cmd" = loop ]; then while :; do :; done; fi
s=x
while :; do s=$s$s; done
EOP

$Torture{'perl'} = <<'EOP';
my $cmd = <STDIN>;
chomp $cmd;
die "crash\n" if $cmd eq "crash";
if ($cmd eq "loop") { 1 while 1; }
my @hoard;
push @hoard, "x" x (1 << 20) while 1;
EOP

$Torture{'lua'} = <<'EOP';
local cmd = io.read("l")
if cmd == "crash" then error("crash") end
if cmd == "loop" then while true do end end
local hoard = {}
while true do hoard[#hoard + 1] = string.rep("x", 1 << 20) .. #hoard end
EOP

$Torture{'haskell'} = <<'EOP';
spin :: Int -> Int
spin n = if n < 0 then n else spin (n + 1)

main :: IO ()
main = do
    cmd <- getLine
    case cmd of
        "crash" -> error "crash"
        "loop" -> print (spin 1)
        _ -> let xs = [1 :: Integer ..] in print (length xs + fromIntegral (sum xs))
EOP

$Broken{'haskell'} = [2, <<'EOP'];
main :: IO ()
main = putStrLn 1
EOP

$Torture{'csharp'} = <<'EOP';
using System;
using System.Collections.Generic;

class Program
{
    static void Main()
    {
        string cmd = Console.ReadLine().Trim();
        if (cmd == "crash")
            throw new InvalidOperationException("crash");
        if (cmd == "loop") {
            long n = 0;
            while (true)
                n++;
        }
        var hoard = new List<byte[]>();
        while (true) {
            var b = new byte[1 << 20];
            for (int i = 0; i < b.Length; i += 4096)
                b[i] = 1;
            hoard.Add(b);
        }
    }
}
EOP

$Broken{'csharp'} = [5, <<'EOP'];
class Program
{
    static void Main()
    {
        int x = "s";
    }
}
EOP

$Torture{'fortran'} = <<'EOP';
program torture
  implicit none
  character(len=16) :: cmd
  integer(8) :: n
  real(8), pointer :: p(:)
  read (*, '(A)') cmd
  if (cmd == 'crash') then
    error stop 3
  else if (cmd == 'loop') then
    n = 0
    do
      n = n + 1
      if (n == 0) print *, n
    end do
  else
    do
      allocate (p(131072))
      p = 1.0d0
    end do
  end if
end program torture
EOP

$Broken{'fortran'} = [3, <<'EOP'];
program broken
  implicit none
  x = 1
end program broken
EOP

$Torture{'objectivec'} = <<'EOP';
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
    char cmd[16] = "";
    volatile unsigned long n = 0;

    if (scanf("%15s", cmd) != 1)
        return 2;
    if (strcmp(cmd, "crash") == 0)
        abort();
    if (strcmp(cmd, "loop") == 0)
        for (;;)
            n++;
    for (;;) {
        char *p = malloc(1 << 20);
        if (p == NULL)
            return 3;
        memset(p, 1, 1 << 20);
    }
}
EOP

$Broken{'objectivec'} = [3, <<'EOP'];
int main(void)
{
    return x;
}
EOP

$Torture{'d'} = <<'EOP';
import std.stdio;
import std.string;

void main()
{
    auto cmd = readln().strip;
    if (cmd == "crash")
        throw new Exception("crash");
    if (cmd == "loop")
        while (true) {}
    ubyte[][] hoard;
    while (true) {
        auto b = new ubyte[1 << 20];
        b[] = 1;
        hoard ~= b;
    }
}
EOP

$Broken{'d'} = [3, <<'EOP'];
void main()
{
    int x = "s";
}
EOP

$Torture{'ada'} = <<'EOP';
with Ada.Text_IO; use Ada.Text_IO;

procedure Torture is
   type Block is array (1 .. 1_048_576) of Character;
   type Block_Access is access Block;
   Cmd : constant String := Get_Line;
   N : Long_Long_Integer := 0;
   B : Block_Access;
begin
   if Cmd = "crash" then
      raise Program_Error with "crash";
   elsif Cmd = "loop" then
      loop
         N := (N + 1) mod 1000;
      end loop;
   else
      loop
         B := new Block;
         B.all := (others => 'x');
      end loop;
   end if;
end Torture;
EOP

$Broken{'ada'} = [3, <<'EOP'];
procedure Broken is
begin
   X := 1;
end Broken;
EOP

$Torture{'cobol'} = <<'EOP';
IDENTIFICATION DIVISION.
PROGRAM-ID. TORTURE.
DATA DIVISION.
WORKING-STORAGE SECTION.
01 CMD PIC X(16).
01 PTR USAGE POINTER.
01 N PIC 9(9) COMP-5 VALUE 0.
PROCEDURE DIVISION.
    ACCEPT CMD
    EVALUATE CMD
      WHEN "crash"
        CALL "NOSUCHPROGRAM"
      WHEN "loop"
        PERFORM UNTIL N > 1000
          ADD 1 TO N
          IF N > 999 MOVE 0 TO N END-IF
        END-PERFORM
      WHEN OTHER
        PERFORM UNTIL N > 1000
          ALLOCATE 1048576 CHARACTERS RETURNING PTR
          CALL "memset" USING BY VALUE PTR BY VALUE 1
                              BY VALUE 1048576
        END-PERFORM
    END-EVALUATE
    STOP RUN.
EOP

$Broken{'cobol'} = [4, <<'EOP'];
IDENTIFICATION DIVISION.
PROGRAM-ID. BROKEN.
PROCEDURE DIVISION.
    MOVE 1 TO NOSUCH.
    STOP RUN.
EOP

$Torture{'nasm'} = <<'EOP';
; reads the command; c(rash), l(oop) or anything else (eat)
        section .bss
buf:    resb 16

        section .text
        global _start
_start:
        xor eax, eax            ; read(0, buf, 16)
        xor edi, edi
        lea rsi, [rel buf]
        mov edx, 16
        syscall
        mov al, [rel buf]
        cmp al, 'c'
        je crash
        cmp al, 'l'
        je spin
eat:
        mov eax, 9              ; mmap 1 MiB, populated
        xor edi, edi
        mov esi, 1048576
        mov edx, 3
        mov r10d, 0x8022
        mov r8, -1
        xor r9d, r9d
        syscall
        cmp rax, -4096
        jb eat
        mov eax, 60
        mov edi, 1
        syscall
crash:
        xor eax, eax
        mov rax, [rax]          ; SIGSEGV
spin:
        jmp spin
EOP

$Broken{'nasm'} = [2, <<'EOP'];
        section .text
        frobnicate rax, 1
EOP

$Torture{'nim'} = <<'EOP';
import strutils

let cmd = readLine(stdin)
if cmd == "crash":
  raise newException(ValueError, "crash")
elif cmd == "loop":
  var n = 0
  while true:
    n = (n + 1) mod 1000
else:
  var hoard: seq[string]
  while true:
    hoard.add(repeat('x', 1 shl 20))
EOP

$Broken{'nim'} = [1, <<'EOP'];
let x: int = "s"
echo x
EOP

$Torture{'scala'} = <<'EOP';
object Torture {
  def main(args: Array[String]): Unit = {
    val cmd = scala.io.StdIn.readLine().trim
    if (cmd == "crash") throw new IllegalStateException("crash")
    if (cmd == "loop") { var n = 0L; while (true) n += 1 }
    val hoard = new java.util.ArrayList[Array[Long]]()
    while (true) hoard.add(new Array[Long](1 << 17))
  }
}
EOP

$Broken{'scala'} = [2, <<'EOP'];
object Broken {
  val x: Int = "s"
}
EOP

$Torture{'clojure'} = <<'EOP';
(let [cmd (read-line)]
  (case cmd
    "crash" (throw (IllegalStateException. "crash"))
    "loop" (loop [n 0] (recur (mod (inc n) 1000)))
    (loop [hoard []] (recur (conj hoard (long-array 131072))))))
EOP

$Torture{'groovy'} = <<'EOP';
def cmd = System.in.newReader().readLine().trim()
if (cmd == "crash") throw new IllegalStateException("crash")
if (cmd == "loop") { long n = 0; while (true) n++ }
def hoard = []
while (true) hoard << new long[1 << 17]
EOP

$Torture{'awk'} = <<'EOP';
{
    if ($0 == "crash") { z = 0; print 1 / z }
    else if ($0 == "loop") { for (;;) n++ }
    else { s = "x"; for (;;) { hoard[n++] = s; s = s s } }
}
EOP

$Torture{'tcl'} = <<'EOP';
gets stdin cmd
if {$cmd eq "crash"} { error "crash" }
if {$cmd eq "loop"} { while 1 {} }
set hoard {}
while 1 { lappend hoard [string repeat x 1048576][llength $hoard] }
EOP

$Torture{'sqlite'} = <<'EOP';
CREATE TABLE input(line TEXT);
.mode ascii
.separator "\037" "\n"
.import /dev/stdin input
.mode list
SELECT CASE (SELECT line FROM input LIMIT 1)
  WHEN 'crash' THEN abs(-9223372036854775807 - 1)
  WHEN 'loop' THEN (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c)
  ELSE (WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT length(group_concat(printf('%.1000c', 'x'))) FROM c)
END;
EOP

$Torture{'forth'} = <<'EOP';
create buf 16 allot
: cmd  ( -- addr u )  buf 16 stdin read-line throw drop buf swap ;
: spin  ( -- )  begin again ;
: eat  ( -- )  begin 1048576 allocate throw 1048576 1 fill again ;
: main  ( -- )
    cmd 2dup s" crash" compare 0= if 2drop 1 0 / . then
    2dup s" loop" compare 0= if 2drop spin then
    2drop eat ;
main
EOP

$Torture{'coffeescript'} = <<'EOP';
cmd = require('fs').readFileSync(0, 'utf8').trim()
throw new Error('crash') if cmd is 'crash'
if cmd is 'loop'
  loop
    null
hoard = []
loop
  hoard.push Buffer.alloc(1 << 20, 1)
EOP

$Torture{'ocaml'} = <<'EOP';
let () =
  match String.trim (read_line ()) with
  | "crash" -> failwith "crash"
  | "loop" -> let n = ref 0 in while true do n := (!n + 1) mod 1000 done
  | _ ->
    let hoard = ref [] in
    while true do hoard := Bytes.make (1 lsl 20) 'x' :: !hoard done
EOP

$Broken{'ocaml'} = [2, <<'EOP'];
let () =
  print_int "s"
EOP

$Torture{'erlang'} = <<'EOP';
-module(torture).
-export([main/0]).

main() ->
    case string:trim(io:get_line("")) of
        "crash" -> erlang:error(crash);
        "loop" -> spin(0);
        _ -> eat([])
    end.

spin(N) -> spin((N + 1) rem 1000).

eat(L) -> eat([binary:copy(<<(length(L) rem 256)>>, 1 bsl 25) | L]).
EOP

$Broken{'erlang'} = [3, <<'EOP'];
-module(broken).
-export([main/0]).
main() -> X.
EOP

$Torture{'elixir'} = <<'EOP';
case IO.gets("") |> String.trim() do
  "crash" -> raise "crash"
  "loop" -> Stream.iterate(0, &rem(&1 + 1, 1000)) |> Stream.run()
  _ ->
    Stream.iterate(0, &(&1 + 1))
    |> Enum.reduce([], fn i, acc -> [:binary.copy(<<rem(i, 256)>>, 33_554_432) | acc] end)
end
EOP

$Torture{'r'} = <<'EOP';
cmd <- readLines(file("stdin"), n = 1)
if (cmd == "crash") stop("crash")
if (cmd == "loop") repeat {}
hoard <- list()
repeat hoard[[length(hoard) + 1]] <- rep(1, 131072)
EOP

$Torture{'octave'} = <<'EOP';
cmd = fgetl(stdin);
if strcmp(cmd, "crash")
  error("crash");
elseif strcmp(cmd, "loop")
  while true
  end
else
  hoard = {};
  while true
    hoard{end + 1} = ones(1, 131072);
  end
end
EOP

$Torture{'pascal'} = <<'EOP';
program Torture;
var
  Cmd: string;
  N: Int64;
  P: PByte;
begin
  ReadLn(Cmd);
  if Cmd = 'crash' then
  begin
    P := nil;
    P^ := 1;
  end
  else if Cmd = 'loop' then
  begin
    N := 0;
    while True do
      N := (N + 1) mod 1000;
  end
  else
    while True do
    begin
      GetMem(P, 1048576);
      FillChar(P^, 1048576, 1);
    end;
end.
EOP

$Broken{'pascal'} = [3, <<'EOP'];
program Broken;
begin
  X := 1;
end.
EOP

$Torture{'commonlisp'} = <<'EOP';
(let ((cmd (read-line)))
  (cond ((string= cmd "crash") (error "crash"))
        ((string= cmd "loop") (loop))
        (t (let ((hoard '()))
             (loop (push (make-array 1048576 :element-type '(unsigned-byte 8)
                                             :initial-element 1)
                         hoard))))))
EOP

$Torture{'scheme'} = <<'EOP';
(use-modules (ice-9 rdelim))

(let ((cmd (read-line)))
  (cond ((string=? cmd "crash") (error "crash"))
        ((string=? cmd "loop") (let spin () (spin)))
        (else (let eat ((hoard '()))
                (eat (cons (make-string 33554432 #\x) hoard))))))
EOP

$Torture{'racket'} = <<'EOP';
#lang racket/base

(define cmd (read-line))
(cond [(equal? cmd "crash") (error "crash")]
      [(equal? cmd "loop") (let spin () (spin))]
      [else (let eat ([hoard '()]) (eat (cons (make-bytes 1048576 1) hoard)))])
EOP

$Torture{'prolog'} = <<'EOP';
main :-
    read_line_to_string(user_input, Cmd),
    run(Cmd).

run("crash") :- !, atom_length(X, X).
run("loop") :- !, repeat, fail.
run(_) :- eat([]).

eat(L) :- length(B, 100000), eat([B|L]).
EOP

$Torture{'crystal'} = <<'EOP';
cmd = gets.not_nil!.strip
raise "crash" if cmd == "crash"
if cmd == "loop"
  n = 0_u64
  loop { n &+= 1 }
end
hoard = [] of String
loop { hoard << "x" * (1 << 20) }
EOP

$Broken{'crystal'} = [2, <<'EOP'];
x = 1
puts x.nosuch
EOP

1;
