# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_warraq_global_optspecs
    string join \n q/quiet h/help V/version
end

function __fish_warraq_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_warraq_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_warraq_using_subcommand
    set -l cmd (__fish_warraq_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c warraq -n "__fish_warraq_needs_command" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c warraq -n "__fish_warraq_needs_command" -s V -l version -d 'Print version'
complete -c warraq -n "__fish_warraq_needs_command" -a "layout" -d 'Print every visual line as the view lays it out'
complete -c warraq -n "__fish_warraq_needs_command" -a "render" -d 'Draw what the view shows into a PNG, without a window'
complete -c warraq -n "__fish_warraq_needs_command" -a "annotations" -d 'List a document\'s annotations after loading and re-anchoring (writes nothing)'
complete -c warraq -n "__fish_warraq_needs_command" -a "export" -d 'Export annotations for training or reading'
complete -c warraq -n "__fish_warraq_needs_command" -a "import" -d 'Bring annotations in from brat, CoNLL or JSONL'
complete -c warraq -n "__fish_warraq_needs_command" -a "preannotate" -d 'Propose an annotation for every match of a list of names'
complete -c warraq -n "__fish_warraq_needs_command" -a "suggest" -d 'Suggest annotations learned from the folder\'s annotations, or found by a NER model on disk'
complete -c warraq -n "__fish_warraq_needs_command" -a "find" -d 'Search with the window\'s Arabic-aware matching (harakat and letter variants ignored)'
complete -c warraq -n "__fish_warraq_needs_command" -a "agree" -d 'Inter-annotator agreement between annotators\' folders or files'
complete -c warraq -n "__fish_warraq_needs_command" -a "curate" -d 'Make (or bring up to date) curated copies of annotators\' documents'
complete -c warraq -n "__fish_warraq_needs_command" -a "completions" -d 'Print a completion script for a shell'
complete -c warraq -n "__fish_warraq_needs_command" -a "man" -d 'Print the manual page (roff): warraq(1), or a command\'s own page such as warraq-export(1)'
complete -c warraq -n "__fish_warraq_using_subcommand layout" -l width -d 'The text\'s width in pixels' -r
complete -c warraq -n "__fish_warraq_using_subcommand layout" -l font-size -d 'The font size in pixels' -r
complete -c warraq -n "__fish_warraq_using_subcommand layout" -l json -d 'Print JSON: lines with their clusters, in code points and pixels'
complete -c warraq -n "__fish_warraq_using_subcommand layout" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand layout" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand render" -l width -d 'The text\'s width in pixels' -r
complete -c warraq -n "__fish_warraq_using_subcommand render" -l font-size -d 'The font size in pixels' -r
complete -c warraq -n "__fish_warraq_using_subcommand render" -l from-line -d 'The first paragraph drawn (0 is the first)' -r
complete -c warraq -n "__fish_warraq_using_subcommand render" -l height -d 'The image\'s height in pixels' -r
complete -c warraq -n "__fish_warraq_using_subcommand render" -l out -d 'Where the PNG goes' -r -F
complete -c warraq -n "__fish_warraq_using_subcommand render" -l force -d 'Replace an existing file at --out'
complete -c warraq -n "__fish_warraq_using_subcommand render" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand render" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand annotations" -l json -d 'Print JSON instead of text'
complete -c warraq -n "__fish_warraq_using_subcommand annotations" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand annotations" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand export" -l format -d 'The format written' -r -f -a "notes-md\t''
notes-html\t''
csv\t''
jsonl\t''
jsonl-doccano\t''
brat\t''
conll\t''
w3c\t''"
complete -c warraq -n "__fish_warraq_using_subcommand export" -l out -d 'The output file; for brat a folder (default: beside the first input)' -r -F
complete -c warraq -n "__fish_warraq_using_subcommand export" -l outermost-only -d 'CoNLL: only the outermost annotation of nested ones (one tag column)'
complete -c warraq -n "__fish_warraq_using_subcommand export" -l force -d 'Replace existing outputs'
complete -c warraq -n "__fish_warraq_using_subcommand export" -l json -d 'Print JSON instead of text'
complete -c warraq -n "__fish_warraq_using_subcommand export" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand export" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand import" -l format -d 'The file\'s format' -r -f -a "brat\t''
conll\t''
jsonl\t''"
complete -c warraq -n "__fish_warraq_using_subcommand import" -l out -d 'The folder the documents go to (default: beside FILE)' -r -F
complete -c warraq -n "__fish_warraq_using_subcommand import" -l json -d 'Print JSON instead of text'
complete -c warraq -n "__fish_warraq_using_subcommand import" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand import" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand preannotate" -l gazetteer -d 'The list of names' -r -F
complete -c warraq -n "__fish_warraq_using_subcommand preannotate" -l accept-all -d 'Make annotations rather than suggestions'
complete -c warraq -n "__fish_warraq_using_subcommand preannotate" -l json -d 'Print JSON instead of text'
complete -c warraq -n "__fish_warraq_using_subcommand preannotate" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand preannotate" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand suggest" -l model -d 'A token-classification model\'s folder (config.json, tokenizer.json, model.safetensors)' -r -F
complete -c warraq -n "__fish_warraq_using_subcommand suggest" -l label -d 'Which tag a model\'s type becomes: TYPE=TAG, or TYPE= to leave it out (repeatable)' -r
complete -c warraq -n "__fish_warraq_using_subcommand suggest" -l min-score -d 'Leave out suggestions scoring below this (0–1)' -r
complete -c warraq -n "__fish_warraq_using_subcommand suggest" -l accept-above -d 'Make the suggestions scoring at least this (0–1) annotations' -r
complete -c warraq -n "__fish_warraq_using_subcommand suggest" -l learned -d 'Learn from the annotations of every document in FILE\'s folder (the default without --model)'
complete -c warraq -n "__fish_warraq_using_subcommand suggest" -l json -d 'Print JSON instead of text'
complete -c warraq -n "__fish_warraq_using_subcommand suggest" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand suggest" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand find" -l exact -d 'Match harakat, letter variants and case exactly'
complete -c warraq -n "__fish_warraq_using_subcommand find" -l whole-word -d 'Whole words only'
complete -c warraq -n "__fish_warraq_using_subcommand find" -l json -d 'Print JSON: {"query", "matches": [{"file", "start", "end", "text", "before", "after"}]}'
complete -c warraq -n "__fish_warraq_using_subcommand find" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand find" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand agree" -l json -d 'Print JSON instead of text'
complete -c warraq -n "__fish_warraq_using_subcommand agree" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand agree" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand curate" -l into -d 'The folder the curated copies go to' -r -F
complete -c warraq -n "__fish_warraq_using_subcommand curate" -l json -d 'Print JSON instead of text'
complete -c warraq -n "__fish_warraq_using_subcommand curate" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand curate" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand completions" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand completions" -s h -l help -d 'Print help'
complete -c warraq -n "__fish_warraq_using_subcommand man" -s q -l quiet -d 'No progress bars on standard error (they are shown only when it is a terminal)'
complete -c warraq -n "__fish_warraq_using_subcommand man" -s h -l help -d 'Print help'
