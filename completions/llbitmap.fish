# fish completion for llbitmap(8): commands, options, option values (formats,
# levels, files) and block devices, read from `llbitmap --help` and
# `llbitmap COMMAND --help` so that they follow the binary.

function __llbitmap_prog
    set -l tokens (commandline -opc)
    echo $tokens[1]
end

function __llbitmap_commands
    set -l prog (__llbitmap_prog)
    $prog --help 2>/dev/null | awk '/^Subcommands:/ {on=1; next} /^[A-Za-z]/ {on=0}
        on && /^  [a-z]/ {n=$1; $1=""; sub(/^ +/, ""); print n "\t" $0}'
end

# NAMES<US>TYPE<US>DESCRIPTION per option of a command.
function __llbitmap_option_lines -a cmd
    set -l prog (__llbitmap_prog)
    $prog $cmd --help 2>/dev/null | awk '
        /^Options:/ {on=1; next}
        /^[A-Za-z]/ {on=0}
        on && /^  -/ {
            names=$1; type=""; desc=$0
            if (match($0, /^  [^ ]+ [^ ]/)) type=$2
            sub(/^  [^ ]+ */, "", desc)
            if (type != "") sub(/^[^ ]+( in \[[^]]*\][^ ]*)? */, "", desc)
            if (desc == "") { getline; desc=$0; sub(/^ +/, "", desc) }
            print names "\037" type "\037" desc
        }'
end

function __llbitmap_values -a name type
    if string match -q -r '\{.*\}' -- $type
        string replace -r '^[^{]*\{([^}]*)\}.*$' '$1' -- $type | string split ,
        return
    end
    switch $name
        case --level
            printf '%s\n' linear raid0 raid1 raid4 raid5 raid6 raid10
        case --metadata
            printf '%s\n' 1.0 1.1 1.2
        case --kernel
            printf '%s\n' 6.18 7.2 7.3
    end
end

function __llbitmap_complete
    set -l tokens (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd
    for t in $tokens[2..-1]
        if not string match -q -- '-*' $t
            set cmd $t
            break
        end
    end
    test -n "$cmd"; or return
    set -l prev $tokens[-1]
    for line in (__llbitmap_option_lines $cmd)
        set -l f (string split \x1f -- $line)
        set -l names (string split , -- $f[1])
        if test -n "$f[2]"; and contains -- $prev $names
            set -l values (__llbitmap_values $prev $f[2])
            if test (count $values) -gt 0
                printf '%s\n' $values
            else if string match -q -r '^FILE|file|trace|^--save$' -- "$f[2] $prev"
                __fish_complete_path $cur
            end
            return
        end
    end
    if string match -q -- '-*' $cur
        for line in (__llbitmap_option_lines $cmd)
            set -l f (string split \x1f -- $line)
            for n in (string split , -- $f[1])
                printf '%s\t%s\n' $n $f[3]
            end
        end
        return
    end
    for d in /sys/class/block/*
        printf '/dev/%s\tblock device\n' (basename $d)
    end
    __fish_complete_path $cur
end

complete -c llbitmap -f
complete -c llbitmap -n __fish_use_subcommand -s h -l help -d 'Print help and exit'
complete -c llbitmap -n __fish_use_subcommand -l version -d 'Print the version and exit'
complete -c llbitmap -n __fish_use_subcommand -a '(__llbitmap_commands)'
complete -c llbitmap -n 'not __fish_use_subcommand' -a '(__llbitmap_complete)'
